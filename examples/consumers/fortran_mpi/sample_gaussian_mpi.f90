! The Fortran consumer's run over MPI ranks: samples N((1, -2), diag(0.5^2, 1^2)) with 10 000
! Langevin chains split over the ranks of MPI_COMM_WORLD, writes them as one .npy file (the first
! argument) and, from rank 0, prints the first chain's final state and the mean over all chains.
program sample_gaussian_mpi
  use, intrinsic :: iso_c_binding
  use mpi
  use langevin
  use langevin_mpi
  implicit none

  integer(c_int64_t), parameter :: chains = 10000
  type(c_ptr) :: model, config, result
  real(c_float), allocatable :: x(:, :)
  integer(c_int) :: dims
  integer(c_int64_t) :: shape(3), first, count
  integer :: rank, ierror
  real(c_double) :: sums(2), totals(2)
  character(len=4096) :: path

  call MPI_Init(ierror)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierror)
  path = 'samples.npy'
  if (command_argument_count() > 0) call get_command_argument(1, path)

  call check(langevin_model_gmm(1, 2, [1.0_c_double], [1.0_c_double, -2.0_c_double], &
                                [0.5_c_double, 1.0_c_double], model))
  call check(langevin_config_create(config))
  call check(langevin_config_set_chains(config, chains))  ! all ranks' chains
  call check(langevin_config_set_steps(config, 2000_c_int64_t))
  call check(langevin_config_set_epsilon(config, 0.01_c_double))
  call check(langevin_config_set_seed(config, 7_c_int64_t))
  call check(langevin_config_set_backend(config, LANGEVIN_BACKEND_CPU))

  ! This rank's rows of the C API's row-major (chains, 2): x(2, count) in Fortran.
  call check(langevin_mpi_rows(MPI_COMM_WORLD, config, first, count))
  allocate(x(2, max(count, 1_c_int64_t)))
  call check(langevin_mpi_sample(MPI_COMM_WORLD, model, config, x, 2 * count, result))
  call check(langevin_mpi_write_npy(MPI_COMM_WORLD, path, x, result))
  call check(langevin_result_shape(result, dims, shape))

  sums = [sum(real(x(1, 1:count), c_double)), sum(real(x(2, 1:count), c_double))]
  call MPI_Reduce(sums, totals, 2, MPI_DOUBLE_PRECISION, MPI_SUM, 0, MPI_COMM_WORLD, ierror)
  if (rank == 0) then
    print '(a)', 'api fortran-mpi'
    print '(a, a)', 'version ', langevin_version_string()
    print '(a, i0, 1x, i0)', 'shape ', shape(1), shape(2)
    print '(a, es16.9, 1x, es16.9)', 'first ', x(1, 1), x(2, 1)
    print '(a, f0.6, 1x, f0.6)', 'mean ', totals(1) / chains, totals(2) / chains
  end if

  call langevin_result_free(result)
  call langevin_config_free(config)
  call langevin_model_free(model)
  call MPI_Finalize(ierror)

contains

  ! A failure is the same status and message on every rank: rank 0 reports it, all stop.
  subroutine check(status)
    integer(c_int), intent(in) :: status
    integer :: ignored
    if (status /= LANGEVIN_OK) then
      if (rank == 0) write (0, '(a, a)') 'sample_gaussian_mpi: ', langevin_last_error_message()
      call MPI_Finalize(ignored)
      error stop 1
    end if
  end subroutine

end program
