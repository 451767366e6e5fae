! Samples N((1, -2), diag(0.5^2, 1^2)) with 10 000 Langevin chains through the Fortran module
! and prints the first chain's final state and the mean over chains; then the same with
! underdamped Langevin (time step 0.1, friction 2); then the log-likelihoods of three points by
! the probability-flow ODE from sigma 0.01 to 1000.
program sample_gaussian
  use, intrinsic :: iso_c_binding
  use langevin
  implicit none

  integer(c_int64_t), parameter :: chains = 10000
  type(c_ptr) :: model, config, result
  real(c_float), allocatable :: x(:, :)
  real(c_float) :: points(2, 3), log_density(3), latent(2, 3)
  integer(c_int) :: rank
  integer(c_int64_t) :: shape(3)

  call check(langevin_model_gmm(1, 2, [1.0_c_double], [1.0_c_double, -2.0_c_double], &
                                [0.5_c_double, 1.0_c_double], model))
  call check(langevin_config_create(config))
  call check(langevin_config_set_chains(config, chains))
  call check(langevin_config_set_steps(config, 2000_c_int64_t))
  call check(langevin_config_set_epsilon(config, 0.01_c_double))
  call check(langevin_config_set_seed(config, 7_c_int64_t))
  call check(langevin_config_set_backend(config, LANGEVIN_BACKEND_CPU))

  ! The C API's row-major (chains, 2) is x(2, chains) in Fortran.
  allocate(x(2, chains))
  call check(langevin_sample(model, config, x, size(x, kind=c_int64_t), LANGEVIN_HOST_MEMORY, &
                             result))
  call check(langevin_result_shape(result, rank, shape))

  print '(a)', 'api fortran'
  print '(a, a)', 'version ', langevin_version_string()
  print '(a, i0, 1x, i0)', 'shape ', shape(1), shape(2)
  print '(a, es16.9, 1x, es16.9)', 'first ', x(1, 1), x(2, 1)
  print '(a, f0.6, 1x, f0.6)', 'mean ', sum(real(x(1, :), c_double)) / chains, &
                                      sum(real(x(2, :), c_double)) / chains

  call check(langevin_config_set_method(config, LANGEVIN_UNDERDAMPED))
  call check(langevin_config_set_epsilon(config, 0.1_c_double))
  call check(langevin_config_set_friction(config, 2.0_c_double))
  call langevin_result_free(result)
  call check(langevin_sample(model, config, x, size(x, kind=c_int64_t), LANGEVIN_HOST_MEMORY, &
                             result))
  print '(a, es16.9, 1x, es16.9)', 'underdamped_first ', x(1, 1), x(2, 1)
  print '(a, f0.6, 1x, f0.6)', 'underdamped_mean ', sum(real(x(1, :), c_double)) / chains, &
                                                  sum(real(x(2, :), c_double)) / chains

  points = reshape([1.0_c_float, -2.0_c_float, 0.0_c_float, 0.0_c_float, 2.0_c_float, &
                    -1.0_c_float], [2, 3])
  call check(langevin_model_log_likelihood(model, points, 3_c_int64_t, &
                                           [1000.0_c_double, 0.01_c_double], 2, &
                                           LANGEVIN_DIVERGENCE_EXACT, 1, 0_c_int64_t, &
                                           0_c_int64_t, 1e-5_c_double, 1e-5_c_double, &
                                           LANGEVIN_BACKEND_CPU, log_density, latent))
  print '(a, 3(1x, es16.9))', 'likelihood', log_density

  call langevin_result_free(result)
  call langevin_config_free(config)
  call langevin_model_free(model)

contains

  subroutine check(status)
    integer(c_int), intent(in) :: status
    if (status /= LANGEVIN_OK) then
      write (0, '(a, a)') 'sample_gaussian: ', langevin_last_error_message()
      error stop 1
    end if
  end subroutine

end program
