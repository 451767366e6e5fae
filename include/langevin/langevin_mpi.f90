! The Fortran module `langevin_mpi`: the C API over MPI ranks (langevin_mpi.h) through
! iso_c_binding, beside the module `langevin`. Communicators are the `mpi` module's integers
! (with mpi_f08, pass comm%MPI_VAL). Every function is collective over the communicator.
!
!   use langevin
!   use langevin_mpi
!   status = langevin_mpi_rows(MPI_COMM_WORLD, config, first, count)   ! this rank's block
!   allocate(x(2, count))
!   status = langevin_mpi_sample(MPI_COMM_WORLD, model, config, x, size(x, kind=c_int64_t), result)
!   status = langevin_mpi_write_npy(MPI_COMM_WORLD, "x.npy", x, result)  ! one file for the run
!
! Compile this file with your own compiler, after langevin.f90 (CMake: link
! Langevin::fortran_mpi; pkg-config: the variable fortran_mpi_module of langevin-mpi).
module langevin_mpi
  use, intrinsic :: iso_c_binding
  implicit none
  private

  public :: langevin_mpi_rows, langevin_mpi_sample, langevin_mpi_write_npy

  interface
    function langevin_mpi_rows(comm, config, first, count) &
        bind(C, name="langevin_mpi_rows_f") result(status)
      import :: c_ptr, c_int64_t, c_int
      integer(c_int), value :: comm
      type(c_ptr), value :: config
      integer(c_int64_t), intent(out) :: first, count
      integer(c_int) :: status
    end function
    ! `out` is this rank's rows, host memory; `result`, optional, a handle to free with
    ! langevin_result_free (module langevin).
    function langevin_mpi_sample(comm, model, config, out, capacity, result) &
        bind(C, name="langevin_mpi_sample_f") result(status)
      import :: c_ptr, c_float, c_int64_t, c_int
      integer(c_int), value :: comm
      type(c_ptr), value :: model, config
      real(c_float), intent(out) :: out(*)
      integer(c_int64_t), value :: capacity
      type(c_ptr), intent(out), optional :: result
      integer(c_int) :: status
    end function
    function c_write_npy(comm, path, rows, result) &
        bind(C, name="langevin_mpi_write_npy_f") result(status)
      import :: c_ptr, c_char, c_float, c_int
      integer(c_int), value :: comm
      character(kind=c_char), intent(in) :: path(*)
      real(c_float), intent(in) :: rows(*)
      type(c_ptr), value :: result
      integer(c_int) :: status
    end function
  end interface

contains

  !> Writes the whole run's output as one .npy file from every rank's rows.
  function langevin_mpi_write_npy(comm, path, rows, result) result(status)
    integer(c_int), intent(in) :: comm
    character(len=*), intent(in) :: path
    real(c_float), intent(in) :: rows(*)
    type(c_ptr), intent(in) :: result
    integer(c_int) :: status
    status = c_write_npy(comm, trim(path) // c_null_char, rows, result)
  end function

end module
