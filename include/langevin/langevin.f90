! The Fortran module `langevin`: the C API (langevin.h) through iso_c_binding.
!
! Handles are type(c_ptr); every function returns an integer(c_int) status (LANGEVIN_OK = 0).
! Paths are ordinary Fortran strings: the wrappers add the C terminator. A run's states fill a
! real(c_float) array laid out as the C API's row-major (chains, d), i.e. x(d, chains) here.
!
!   use langevin
!   type(c_ptr) :: model, config
!   real(c_float), allocatable :: x(:, :)
!   status = langevin_load("two_modes.json", model)
!   status = langevin_config_create(config)
!   status = langevin_config_set_chains(config, 100000_c_int64_t)
!   allocate(x(1, 100000))
!   status = langevin_sample(model, config, x, size(x, kind=c_int64_t), LANGEVIN_HOST_MEMORY)
!
! Compile this file with your own compiler (CMake: link Langevin::fortran; see docs/API.md).
module langevin
  use, intrinsic :: iso_c_binding
  implicit none
  private

  integer(c_int), parameter, public :: LANGEVIN_OK = 0
  integer(c_int), parameter, public :: LANGEVIN_INVALID_INPUT = 1
  integer(c_int), parameter, public :: LANGEVIN_FAILURE = 2

  integer(c_int), parameter, public :: LANGEVIN_HOST_MEMORY = 0
  integer(c_int), parameter, public :: LANGEVIN_DEVICE_MEMORY = 1

  integer(c_int), parameter, public :: LANGEVIN_BACKEND_AUTO = 0
  integer(c_int), parameter, public :: LANGEVIN_BACKEND_CPU = 1
  integer(c_int), parameter, public :: LANGEVIN_BACKEND_CUDA = 2

  integer(c_int), parameter, public :: LANGEVIN_SCORE_FORM_AUTO = 0
  integer(c_int), parameter, public :: LANGEVIN_SCORE_FORM_LAYERED = 1

  integer(c_int), parameter, public :: LANGEVIN_ULA = 0
  integer(c_int), parameter, public :: LANGEVIN_MALA = 1
  integer(c_int), parameter, public :: LANGEVIN_PC = 2
  integer(c_int), parameter, public :: LANGEVIN_ODE = 3
  integer(c_int), parameter, public :: LANGEVIN_UNDERDAMPED = 4

  integer(c_int), parameter, public :: LANGEVIN_DIVERGENCE_AUTO = 0
  integer(c_int), parameter, public :: LANGEVIN_DIVERGENCE_EXACT = 1
  integer(c_int), parameter, public :: LANGEVIN_DIVERGENCE_HUTCHINSON = 2

  integer(c_int), parameter, public :: LANGEVIN_CORRECTOR_SIGMA = 0
  integer(c_int), parameter, public :: LANGEVIN_CORRECTOR_CHAIN_NORMS = 1

  public :: langevin_load, langevin_last_error_message, langevin_version_string
  public :: langevin_model_gmm, langevin_model_free, langevin_model_dim, langevin_model_score
  public :: langevin_config_create, langevin_config_free
  public :: langevin_config_set_chains, langevin_config_set_steps, langevin_config_set_epsilon
  public :: langevin_config_set_seed, langevin_config_set_first_chain
  public :: langevin_config_set_init_normal, langevin_config_set_init_states
  public :: langevin_config_keep_final, langevin_config_keep_trajectory
  public :: langevin_config_set_method, langevin_config_set_backend
  public :: langevin_config_set_device, langevin_config_set_devices
  public :: langevin_config_set_score_form
  public :: langevin_config_set_sigmas, langevin_config_set_denoise
  public :: langevin_config_set_corrector, langevin_config_set_ode_tolerances
  public :: langevin_config_set_friction
  public :: langevin_output_count, langevin_sample
  public :: langevin_result_shape, langevin_result_backend, langevin_result_seconds
  public :: langevin_result_acceptance_rate, langevin_result_rows, langevin_result_free
  public :: langevin_diagnose, langevin_model_log_likelihood

  ! The C functions themselves. Arrays pass by reference (assumed size), scalars by value.
  interface
    function c_last_error() bind(C, name="langevin_last_error") result(message)
      import :: c_ptr
      type(c_ptr) :: message
    end function
    function c_version() bind(C, name="langevin_version") result(text)
      import :: c_ptr
      type(c_ptr) :: text
    end function
    function c_model_load(path, model) bind(C, name="langevin_model_load") result(status)
      import :: c_char, c_ptr, c_int
      character(kind=c_char), intent(in) :: path(*)
      type(c_ptr), intent(out) :: model
      integer(c_int) :: status
    end function

    function langevin_model_gmm(components, dim, weights, means, stds, model) &
        bind(C, name="langevin_model_gmm") result(status)
      import :: c_int, c_double, c_ptr
      integer(c_int), value :: components, dim
      real(c_double), intent(in) :: weights(*), means(*), stds(*)
      type(c_ptr), intent(out) :: model
      integer(c_int) :: status
    end function
    subroutine langevin_model_free(model) bind(C, name="langevin_model_free")
      import :: c_ptr
      type(c_ptr), value :: model
    end subroutine
    function langevin_model_dim(model, dim) bind(C, name="langevin_model_dim") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: model
      integer(c_int), intent(out) :: dim
      integer(c_int) :: status
    end function
    function langevin_model_score(model, points, count, scores, backend) &
        bind(C, name="langevin_model_score") result(status)
      import :: c_ptr, c_float, c_int64_t, c_int
      type(c_ptr), value :: model
      real(c_float), intent(in) :: points(*)
      integer(c_int64_t), value :: count
      real(c_float), intent(out) :: scores(*)
      integer(c_int), value :: backend
      integer(c_int) :: status
    end function

    ! points and latent: count x dim in C order, i.e. Fortran arrays (dim, count); sigmas is
    ! read only with levels > 0 (levels = 0: a noise-conditional model's own levels).
    function langevin_model_log_likelihood(model, points, count, sigmas, levels, divergence, &
        probes, seed, first_point, rtol, atol, backend, log_density, latent) &
        bind(C, name="langevin_model_log_likelihood") result(status)
      import :: c_ptr, c_float, c_int64_t, c_int, c_double
      type(c_ptr), value :: model
      real(c_float), intent(in) :: points(*)
      integer(c_int64_t), value :: count
      real(c_double), intent(in) :: sigmas(*)
      integer(c_int), value :: levels, divergence, probes
      integer(c_int64_t), value :: seed, first_point
      real(c_double), value :: rtol, atol
      integer(c_int), value :: backend
      real(c_float), intent(out) :: log_density(*), latent(*)
      integer(c_int) :: status
    end function

    ! trajectory: chains x draws x dim in C order, i.e. a Fortran array (dim, draws, chains);
    ! nested_rhat is read only with superchains > 0 (pass any array of dim otherwise).
    function langevin_diagnose(trajectory, chains, draws, dim, superchains, rhat, ess_bulk, &
        ess_tail, mcse_mean, nested_rhat) bind(C, name="langevin_diagnose") result(status)
      import :: c_float, c_int64_t, c_int, c_double
      real(c_float), intent(in) :: trajectory(*)
      integer(c_int64_t), value :: chains, draws
      integer(c_int), value :: dim
      integer(c_int64_t), value :: superchains
      real(c_double), intent(out) :: rhat(*), ess_bulk(*), ess_tail(*), mcse_mean(*)
      real(c_double), intent(out) :: nested_rhat(*)
      integer(c_int) :: status
    end function

    function langevin_config_create(config) bind(C, name="langevin_config_create") result(status)
      import :: c_ptr, c_int
      type(c_ptr), intent(out) :: config
      integer(c_int) :: status
    end function
    subroutine langevin_config_free(config) bind(C, name="langevin_config_free")
      import :: c_ptr
      type(c_ptr), value :: config
    end subroutine
    function langevin_config_set_chains(config, chains) &
        bind(C, name="langevin_config_set_chains") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: config
      integer(c_int64_t), value :: chains
      integer(c_int) :: status
    end function
    function langevin_config_set_steps(config, steps) &
        bind(C, name="langevin_config_set_steps") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: config
      integer(c_int64_t), value :: steps
      integer(c_int) :: status
    end function
    function langevin_config_set_epsilon(config, epsilon) &
        bind(C, name="langevin_config_set_epsilon") result(status)
      import :: c_ptr, c_double, c_int
      type(c_ptr), value :: config
      real(c_double), value :: epsilon
      integer(c_int) :: status
    end function
    ! Fortran has no unsigned integers: the seed's 64 bits pass as they are.
    function langevin_config_set_seed(config, seed) &
        bind(C, name="langevin_config_set_seed") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: config
      integer(c_int64_t), value :: seed
      integer(c_int) :: status
    end function
    function langevin_config_set_first_chain(config, first_chain) &
        bind(C, name="langevin_config_set_first_chain") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: config
      integer(c_int64_t), value :: first_chain
      integer(c_int) :: status
    end function
    function langevin_config_set_init_normal(config, mean, std) &
        bind(C, name="langevin_config_set_init_normal") result(status)
      import :: c_ptr, c_double, c_int
      type(c_ptr), value :: config
      real(c_double), value :: mean, std
      integer(c_int) :: status
    end function
    function langevin_config_set_init_states(config, states, chains, dim) &
        bind(C, name="langevin_config_set_init_states") result(status)
      import :: c_ptr, c_float, c_int64_t, c_int
      type(c_ptr), value :: config
      real(c_float), intent(in) :: states(*)
      integer(c_int64_t), value :: chains
      integer(c_int), value :: dim
      integer(c_int) :: status
    end function
    function langevin_config_keep_final(config) &
        bind(C, name="langevin_config_keep_final") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int) :: status
    end function
    function langevin_config_keep_trajectory(config, burn_in, thin) &
        bind(C, name="langevin_config_keep_trajectory") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: config
      integer(c_int64_t), value :: burn_in, thin
      integer(c_int) :: status
    end function
    function langevin_config_set_method(config, method) &
        bind(C, name="langevin_config_set_method") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int), value :: method
      integer(c_int) :: status
    end function
    function langevin_config_set_backend(config, backend) &
        bind(C, name="langevin_config_set_backend") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int), value :: backend
      integer(c_int) :: status
    end function
    function langevin_config_set_device(config, device) &
        bind(C, name="langevin_config_set_device") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int), value :: device
      integer(c_int) :: status
    end function
    function langevin_config_set_devices(config, devices, count) &
        bind(C, name="langevin_config_set_devices") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int), intent(in) :: devices(*)
      integer(c_int), value :: count
      integer(c_int) :: status
    end function
    function langevin_config_set_score_form(config, form) &
        bind(C, name="langevin_config_set_score_form") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int), value :: form
      integer(c_int) :: status
    end function
    function langevin_config_set_sigmas(config, sigmas, count) &
        bind(C, name="langevin_config_set_sigmas") result(status)
      import :: c_ptr, c_double, c_int
      type(c_ptr), value :: config
      real(c_double), intent(in) :: sigmas(*)
      integer(c_int), value :: count
      integer(c_int) :: status
    end function
    function langevin_config_set_denoise(config, denoise) &
        bind(C, name="langevin_config_set_denoise") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: config
      integer(c_int), value :: denoise
      integer(c_int) :: status
    end function
    function langevin_config_set_corrector(config, steps, snr, step) &
        bind(C, name="langevin_config_set_corrector") result(status)
      import :: c_ptr, c_int, c_double
      type(c_ptr), value :: config
      integer(c_int), value :: steps, step
      real(c_double), value :: snr
      integer(c_int) :: status
    end function
    function langevin_config_set_ode_tolerances(config, rtol, atol) &
        bind(C, name="langevin_config_set_ode_tolerances") result(status)
      import :: c_ptr, c_int, c_double
      type(c_ptr), value :: config
      real(c_double), value :: rtol, atol
      integer(c_int) :: status
    end function
    function langevin_config_set_friction(config, friction) &
        bind(C, name="langevin_config_set_friction") result(status)
      import :: c_ptr, c_int, c_double
      type(c_ptr), value :: config
      real(c_double), value :: friction
      integer(c_int) :: status
    end function

    function langevin_output_count(model, config, count) &
        bind(C, name="langevin_output_count") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: model, config
      integer(c_int64_t), intent(out) :: count
      integer(c_int) :: status
    end function
    ! `out` is host memory here (for device memory, bind your own interface with a c_ptr).
    ! `result`, optional, receives a handle to free with langevin_result_free.
    function langevin_sample(model, config, out, capacity, memory, result) &
        bind(C, name="langevin_sample") result(status)
      import :: c_ptr, c_float, c_int64_t, c_int
      type(c_ptr), value :: model, config
      real(c_float), intent(out) :: out(*)
      integer(c_int64_t), value :: capacity
      integer(c_int), value :: memory
      type(c_ptr), intent(out), optional :: result
      integer(c_int) :: status
    end function

    function langevin_result_shape(result, rank, shape) &
        bind(C, name="langevin_result_shape") result(status)
      import :: c_ptr, c_int, c_int64_t
      type(c_ptr), value :: result
      integer(c_int), intent(out) :: rank
      integer(c_int64_t), intent(out) :: shape(3)
      integer(c_int) :: status
    end function
    function langevin_result_backend(result, backend) &
        bind(C, name="langevin_result_backend") result(status)
      import :: c_ptr, c_int
      type(c_ptr), value :: result
      integer(c_int), intent(out) :: backend
      integer(c_int) :: status
    end function
    function langevin_result_seconds(result, seconds) &
        bind(C, name="langevin_result_seconds") result(status)
      import :: c_ptr, c_double, c_int
      type(c_ptr), value :: result
      real(c_double), intent(out) :: seconds
      integer(c_int) :: status
    end function
    function langevin_result_acceptance_rate(result, rate) &
        bind(C, name="langevin_result_acceptance_rate") result(status)
      import :: c_ptr, c_double, c_int
      type(c_ptr), value :: result
      real(c_double), intent(out) :: rate
      integer(c_int) :: status
    end function
    ! The rows [first, first + count) of the output this process holds (a rank's block over MPI).
    function langevin_result_rows(result, first, count) &
        bind(C, name="langevin_result_rows") result(status)
      import :: c_ptr, c_int64_t, c_int
      type(c_ptr), value :: result
      integer(c_int64_t), intent(out) :: first, count
      integer(c_int) :: status
    end function
    subroutine langevin_result_free(result) bind(C, name="langevin_result_free")
      import :: c_ptr
      type(c_ptr), value :: result
    end subroutine

    function c_strlen(text) bind(C, name="strlen") result(length)
      import :: c_ptr, c_size_t
      type(c_ptr), value :: text
      integer(c_size_t) :: length
    end function
  end interface

contains

  !> Loads a score model (.safetensors) or a Gaussian mixture (.json).
  function langevin_load(path, model) result(status)
    character(len=*), intent(in) :: path
    type(c_ptr), intent(out) :: model
    integer(c_int) :: status
    status = c_model_load(trim(path) // c_null_char, model)
  end function

  !> The message of the last failed call on this thread.
  function langevin_last_error_message() result(message)
    character(len=:), allocatable :: message
    message = from_c_string(c_last_error())
  end function

  !> The library's version.
  function langevin_version_string() result(text)
    character(len=:), allocatable :: text
    text = from_c_string(c_version())
  end function

  function from_c_string(text) result(copy)
    type(c_ptr), intent(in) :: text
    character(len=:), allocatable :: copy
    character(kind=c_char), pointer :: chars(:)
    integer :: length, i
    length = int(c_strlen(text))
    call c_f_pointer(text, chars, [length])
    allocate(character(len=length) :: copy)
    do i = 1, length
      copy(i:i) = chars(i)
    end do
  end function

end module langevin
