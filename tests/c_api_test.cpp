// The C API (langevin.h): the same chains as the C++ API, statuses and messages instead of
// exceptions, results in caller-owned host or device memory.

#include <langevin/langevin.h>
#include <langevin/langevin.hpp>

#include "gpu.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace {

// Owning wrappers so that a failing assertion frees the handles.
struct ModelDeleter {
  void operator()(langevin_model* model) const { langevin_model_free(model); }
};
struct ConfigDeleter {
  void operator()(langevin_config* config) const { langevin_config_free(config); }
};
struct ResultDeleter {
  void operator()(langevin_result* result) const { langevin_result_free(result); }
};
using Model = std::unique_ptr<langevin_model, ModelDeleter>;
using Config = std::unique_ptr<langevin_config, ConfigDeleter>;
using Result = std::unique_ptr<langevin_result, ResultDeleter>;

const std::string kTwoModes = std::string(LANGEVIN_SOURCE_DIR) + "/examples/data/two_modes.json";

Model load(const std::string& path) {
  langevin_model* model = nullptr;
  EXPECT_EQ(langevin_model_load(path.c_str(), &model), LANGEVIN_OK) << langevin_last_error();
  return Model(model);
}

Config small_config() {
  langevin_config* config = nullptr;
  EXPECT_EQ(langevin_config_create(&config), LANGEVIN_OK);
  EXPECT_EQ(langevin_config_set_chains(config, 300), LANGEVIN_OK);
  EXPECT_EQ(langevin_config_set_steps(config, 50), LANGEVIN_OK);
  EXPECT_EQ(langevin_config_set_epsilon(config, 1e-2), LANGEVIN_OK);
  EXPECT_EQ(langevin_config_set_seed(config, 11), LANGEVIN_OK);
  EXPECT_EQ(langevin_config_set_backend(config, LANGEVIN_BACKEND_CPU), LANGEVIN_OK);
  return Config(config);
}

langevin::SamplerConfig small_cpp_config() {
  langevin::SamplerConfig config;
  config.chains = 300;
  config.steps = 50;
  config.epsilon = 1e-2;
  config.seed = 11;
  config.backend = langevin::Backend::Cpu;
  return config;
}

std::vector<float> values(const langevin::Array& array) {
  return std::vector<float>(array.data(), array.data() + array.size());
}

TEST(CApi, SamplesTheSameChainsAsTheCppApi) {
  const Model model = load(kTwoModes);
  const Config config = small_config();
  int64_t count = 0;
  ASSERT_EQ(langevin_output_count(model.get(), config.get(), &count), LANGEVIN_OK);
  ASSERT_EQ(count, 300);
  std::vector<float> out(static_cast<std::size_t>(count));
  langevin_result* raw_result = nullptr;
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), count, LANGEVIN_HOST_MEMORY,
                            &raw_result),
            LANGEVIN_OK)
      << langevin_last_error();
  const Result result(raw_result);

  const langevin::Array expected =
      langevin::sample(langevin::load_gmm(kTwoModes), small_cpp_config());
  EXPECT_EQ(out, values(expected));

  int rank = 0;
  int64_t shape[3] = {0, 0, 0};
  ASSERT_EQ(langevin_result_shape(result.get(), &rank, shape), LANGEVIN_OK);
  EXPECT_EQ(rank, 2);
  EXPECT_EQ(shape[0], 300);
  EXPECT_EQ(shape[1], 1);
  langevin_backend backend = LANGEVIN_BACKEND_AUTO;
  ASSERT_EQ(langevin_result_backend(result.get(), &backend), LANGEVIN_OK);
  EXPECT_EQ(backend, LANGEVIN_BACKEND_CPU);
  double seconds = -1.0, rate = 0.0;
  ASSERT_EQ(langevin_result_seconds(result.get(), &seconds), LANGEVIN_OK);
  EXPECT_GE(seconds, 0.0);
  ASSERT_EQ(langevin_result_acceptance_rate(result.get(), &rate), LANGEVIN_OK);
  EXPECT_TRUE(std::isnan(rate)) << "ULA has no acceptance rate";
  EXPECT_STREQ(langevin_last_error(), "");
}

TEST(CApi, EveryConfigurationFieldReachesTheSampler) {
  // An in-memory mixture, given initial states, a trajectory, MALA, a first chain: compared with
  // the C++ API configured the same way.
  const double weights[] = {1.0, 3.0};
  const double means[] = {-1.0, 0.5, 2.0, -0.5};
  const double stds[] = {0.7, 1.2, 0.4, 0.9};
  langevin_model* raw_model = nullptr;
  ASSERT_EQ(langevin_model_gmm(2, 2, weights, means, stds, &raw_model), LANGEVIN_OK);
  const Model model(raw_model);
  int dim = 0;
  ASSERT_EQ(langevin_model_dim(model.get(), &dim), LANGEVIN_OK);
  EXPECT_EQ(dim, 2);

  const int64_t chains = 40;
  std::vector<float> init(static_cast<std::size_t>(chains * 2));
  for (std::size_t i = 0; i < init.size(); ++i) init[i] = 0.01f * static_cast<float>(i) - 0.3f;
  const Config config = small_config();
  ASSERT_EQ(langevin_config_set_chains(config.get(), chains), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_init_states(config.get(), init.data(), chains, 2), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_first_chain(config.get(), 1000), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_keep_trajectory(config.get(), 10, 7), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_method(config.get(), LANGEVIN_MALA), LANGEVIN_OK);

  int64_t count = 0;
  ASSERT_EQ(langevin_output_count(model.get(), config.get(), &count), LANGEVIN_OK)
      << langevin_last_error();
  const int64_t kept = (50 - 10 + 6) / 7;
  ASSERT_EQ(count, chains * kept * 2);
  std::vector<float> out(static_cast<std::size_t>(count));
  langevin_result* raw_result = nullptr;
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), count, LANGEVIN_HOST_MEMORY,
                            &raw_result),
            LANGEVIN_OK)
      << langevin_last_error();
  const Result result(raw_result);

  langevin::SamplerConfig expected_config = small_cpp_config();
  expected_config.chains = chains;
  expected_config.init_states = langevin::Array({chains, 2}, init);
  expected_config.first_chain = 1000;
  expected_config.keep = langevin::Keep::Trajectory;
  expected_config.burn_in = 10;
  expected_config.thin = 7;
  expected_config.method = langevin::Method::Mala;
  const langevin::GaussianMixture mixture({1.0, 3.0}, {{-1.0, 0.5}, {2.0, -0.5}},
                                          {{0.7, 1.2}, {0.4, 0.9}});
  langevin::Sampler sampler(mixture, expected_config);
  EXPECT_EQ(out, values(sampler.run()));

  int rank = 0;
  int64_t shape[3] = {0, 0, 0};
  ASSERT_EQ(langevin_result_shape(result.get(), &rank, shape), LANGEVIN_OK);
  EXPECT_EQ(rank, 3);
  EXPECT_EQ(shape[1], kept);
  double rate = 0.0;
  ASSERT_EQ(langevin_result_acceptance_rate(result.get(), &rate), LANGEVIN_OK);
  EXPECT_EQ(rate, sampler.acceptance_rate());
}

TEST(CApi, AnnealsANoiseConditionalRunOverGivenLevels) {
  const Model model = load(kTwoModes);
  const Config config = small_config();
  const double sigmas[] = {4.0, 1.0, 0.25};
  ASSERT_EQ(langevin_config_set_sigmas(config.get(), sigmas, 3), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_denoise(config.get(), 1), LANGEVIN_OK);
  std::vector<float> out(300);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_OK)
      << langevin_last_error();
  langevin::SamplerConfig expected = small_cpp_config();
  expected.sigmas = {4.0, 1.0, 0.25};
  expected.denoise = true;
  EXPECT_EQ(out, values(langevin::sample(langevin::load_gmm(kTwoModes), expected)));
}

TEST(CApi, RunsTheSamplingMethodsAsTheCppApi) {
  const Model model = load(kTwoModes);
  const Config config = small_config();
  const double sigmas[] = {4.0, 1.0, 0.25};
  ASSERT_EQ(langevin_config_set_sigmas(config.get(), sigmas, 3), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_method(config.get(), LANGEVIN_PC), LANGEVIN_OK);
  std::vector<float> out(300);
  // epsilon is not pc's: the sample refuses it, naming the field, until it is back at 0.
  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_EQ(std::string(langevin_last_error()).rfind("epsilon = 0.01", 0), 0u)
      << langevin_last_error();
  ASSERT_EQ(langevin_config_set_epsilon(config.get(), 0.0), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_steps(config.get(), 4), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_corrector(config.get(), 2, 0.2, LANGEVIN_CORRECTOR_CHAIN_NORMS),
            LANGEVIN_OK);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_OK)
      << langevin_last_error();
  langevin::SamplerConfig expected = small_cpp_config();
  expected.epsilon = 0.0;
  expected.steps = 4;
  expected.sigmas = {4.0, 1.0, 0.25};
  expected.method = langevin::Method::Pc;
  expected.corrector_steps = 2;
  expected.snr = 0.2;
  expected.corrector_step = langevin::CorrectorStep::ChainNorms;
  EXPECT_EQ(out, values(langevin::sample(langevin::load_gmm(kTwoModes), expected)));
  EXPECT_EQ(langevin_config_set_corrector(config.get(), 1, 0.16,
                                          static_cast<langevin_corrector_step>(5)),
            LANGEVIN_INVALID_INPUT);
  // The probability-flow ODE with its tolerances.
  ASSERT_EQ(langevin_config_set_method(config.get(), LANGEVIN_ODE), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_ode_tolerances(config.get(), 1e-4, 1e-6), LANGEVIN_OK);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_OK)
      << langevin_last_error();
  expected.method = langevin::Method::Ode;
  expected.rtol = 1e-4;
  expected.atol = 1e-6;
  EXPECT_EQ(out, values(langevin::sample(langevin::load_gmm(kTwoModes), expected)));
  // Underdamped Langevin with its friction (no noise levels).
  ASSERT_EQ(langevin_config_set_sigmas(config.get(), nullptr, 0), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_method(config.get(), LANGEVIN_UNDERDAMPED), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_friction(config.get(), 0.25), LANGEVIN_OK);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_OK)
      << langevin_last_error();
  expected.method = langevin::Method::Underdamped;
  expected.sigmas.clear();
  expected.friction = 0.25;
  EXPECT_EQ(out, values(langevin::sample(langevin::load_gmm(kTwoModes), expected)));
  ASSERT_EQ(langevin_config_set_friction(config.get(), -1.0), LANGEVIN_OK);  // checked at use
  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_STREQ(langevin_last_error(), "friction = -1: must be positive and finite (at most 10⁶)");
}

TEST(CApi, DevicesAndTheScoreFormReachTheSampler) {
  const Config config = small_config();
  std::vector<float> out(300);
  // A 1-D ReLU network through the layered pass: the C++ API's run with the same setting.
  const langevin::Mlp relu = langevin::Mlp::random({1, 40, 1}, langevin::Activation::Relu, 3);
  const std::string path = ::testing::TempDir() + "/c_api_relu.safetensors";
  langevin::save_mlp(path, relu);
  const Model model = load(path);
  ASSERT_EQ(langevin_config_set_score_form(config.get(), LANGEVIN_SCORE_FORM_LAYERED),
            LANGEVIN_OK);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_OK)
      << langevin_last_error();
  langevin::SamplerConfig expected = small_cpp_config();
  expected.score_form = langevin::ScoreForm::Layered;
  EXPECT_EQ(out, values(langevin::sample(relu, expected)));
  EXPECT_EQ(langevin_config_set_score_form(config.get(), static_cast<langevin_score_form>(7)),
            LANGEVIN_INVALID_INPUT);
  // Devices name CUDA GPUs: on the cpu backend they are refused, naming the field.
  const int devices[] = {0, 1};
  ASSERT_EQ(langevin_config_set_devices(config.get(), devices, 2), LANGEVIN_OK);
  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_EQ(std::string(langevin_last_error()),
            "devices = 0,1: this run is on the cpu backend; devices name CUDA GPUs");
  ASSERT_EQ(langevin_config_set_devices(config.get(), nullptr, 0), LANGEVIN_OK);
  ASSERT_EQ(langevin_config_set_device(config.get(), 3), LANGEVIN_OK);
  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_EQ(langevin_config_set_devices(config.get(), nullptr, 1), LANGEVIN_INVALID_INPUT);
}

TEST(CApi, ScoresMatchTheCppApi) {
  const Model model = load(kTwoModes);
  const std::vector<float> points = {-7.0f, -5.0f, 0.0f, 1.5f, 6.0f};
  std::vector<float> scores(points.size());
  ASSERT_EQ(langevin_model_score(model.get(), points.data(), 5, scores.data(),
                                 LANGEVIN_BACKEND_CPU),
            LANGEVIN_OK);
  const langevin::Array expected = langevin::score(
      langevin::load_gmm(kTwoModes), langevin::Array({5, 1}, points), langevin::Backend::Cpu);
  EXPECT_EQ(scores, values(expected));
}

TEST(CApi, LogLikelihoodsMatchTheCppApi) {
  const Model model = load(kTwoModes);
  const std::vector<float> points = {-7.0f, -5.0f, 0.0f, 1.5f, 6.0f};
  const double sigmas[] = {50.0, 5.0, 0.5, 0.05};
  std::vector<float> log_density(5), latent(5);
  ASSERT_EQ(langevin_model_log_likelihood(model.get(), points.data(), 5, sigmas, 4,
                                          LANGEVIN_DIVERGENCE_HUTCHINSON, 2, 8, 3, 1e-5, 1e-5,
                                          LANGEVIN_BACKEND_CPU, log_density.data(),
                                          latent.data()),
            LANGEVIN_OK)
      << langevin_last_error();
  langevin::LikelihoodConfig config;
  config.sigmas.assign(sigmas, sigmas + 4);
  config.divergence = langevin::DivergenceEstimator::Hutchinson;
  config.probes = 2;
  config.seed = 8;
  config.first_point = 3;
  config.backend = langevin::Backend::Cpu;
  const langevin::Likelihood expected = langevin::log_likelihood(
      langevin::load_gmm(kTwoModes), langevin::Array({5, 1}, points), config);
  EXPECT_EQ(log_density, values(expected.log_density));
  EXPECT_EQ(latent, values(expected.latent));
  EXPECT_EQ(langevin_model_log_likelihood(model.get(), points.data(), 5, nullptr, 0,
                                          LANGEVIN_DIVERGENCE_AUTO, 1, 0, 0, 1e-5, 1e-5,
                                          LANGEVIN_BACKEND_CPU, log_density.data(), nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("sigmas"), std::string::npos)
      << langevin_last_error();
  EXPECT_EQ(langevin_model_log_likelihood(model.get(), points.data(), 5, sigmas, 4,
                                          static_cast<langevin_divergence>(5), 1, 0, 0, 1e-5,
                                          1e-5, LANGEVIN_BACKEND_CPU, log_density.data(), nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("divergence = 5"), std::string::npos)
      << langevin_last_error();
}

// Each bad input gets its status and a message naming the field and value; nothing throws.
TEST(CApi, DiagnosesATrajectoryAsTheCppApi) {
  const langevin::Array x =
      langevin::read_npy(std::string(LANGEVIN_SOURCE_DIR) + "/tests/data/diagnostics_three.npy");
  const langevin::Diagnostics want = langevin::diagnose(x, 2);
  std::vector<double> rhat(3), bulk(3), tail(3), mcse(3), nested(3);
  ASSERT_EQ(langevin_diagnose(x.data(), x.dim(0), x.dim(1), 3, 2, rhat.data(), bulk.data(),
                              tail.data(), mcse.data(), nested.data()),
            LANGEVIN_OK)
      << langevin_last_error();
  EXPECT_EQ(rhat, want.rhat);
  EXPECT_EQ(bulk, want.ess_bulk);
  EXPECT_EQ(tail, want.ess_tail);
  EXPECT_EQ(mcse, want.mcse_mean);
  EXPECT_EQ(nested, want.nested_rhat);
  EXPECT_EQ(langevin_diagnose(x.data(), 1, 4, 3, 0, rhat.data(), bulk.data(), tail.data(),
                              mcse.data(), nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("chains = 1"), std::string::npos)
      << langevin_last_error();
  EXPECT_EQ(langevin_diagnose(x.data(), 4, 301, 3, 2, rhat.data(), bulk.data(), tail.data(),
                              mcse.data(), nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("nested_rhat"), std::string::npos)
      << langevin_last_error();
}

TEST(CApi, BadInputGivesAStatusAndAMessageNamingTheField) {
  const Model model = load(kTwoModes);
  const Config config = small_config();
  std::vector<float> out(300);

  ASSERT_EQ(langevin_config_set_epsilon(config.get(), -1.0), LANGEVIN_OK);  // stored, checked later
  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("epsilon"), std::string::npos)
      << langevin_last_error();
  int64_t count = 0;
  EXPECT_EQ(langevin_output_count(model.get(), config.get(), &count), LANGEVIN_INVALID_INPUT);
  ASSERT_EQ(langevin_config_set_epsilon(config.get(), 1e-2), LANGEVIN_OK);

  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 299, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("capacity = 299"), std::string::npos)
      << langevin_last_error();

  EXPECT_EQ(langevin_sample(model.get(), config.get(), out.data(), 300, LANGEVIN_DEVICE_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("cuda backend"), std::string::npos)
      << langevin_last_error();

  EXPECT_EQ(langevin_sample(nullptr, config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY, nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_STREQ(langevin_last_error(), "model = NULL");

  langevin_model* missing = reinterpret_cast<langevin_model*>(0x1);
  EXPECT_EQ(langevin_model_load("/nonexistent/mixture.json", &missing), LANGEVIN_INVALID_INPUT);
  EXPECT_EQ(missing, nullptr) << "a failed load leaves no handle behind";
  EXPECT_NE(std::string(langevin_last_error()).find("/nonexistent/mixture.json"),
            std::string::npos);
  EXPECT_EQ(langevin_model_load("model.txt", &missing), LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find(".safetensors"), std::string::npos);

  const double weights[] = {1.0};
  const double means[] = {0.0};
  const double bad_stds[] = {-2.0};
  EXPECT_EQ(langevin_model_gmm(1, 1, weights, means, bad_stds, &missing), LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("-2"), std::string::npos)
      << langevin_last_error();

  EXPECT_EQ(langevin_config_set_method(config.get(), static_cast<langevin_method>(7)),
            LANGEVIN_INVALID_INPUT);
  EXPECT_EQ(langevin_config_set_backend(config.get(), static_cast<langevin_backend>(9)),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("backend = 9"), std::string::npos);
  // Any int a C caller may pass is refused, the range markers and negative values included.
  EXPECT_EQ(langevin_config_set_method(config.get(), LANGEVIN_METHOD_RANGE_MIN_),
            LANGEVIN_INVALID_INPUT);
  EXPECT_EQ(langevin_config_set_backend(config.get(), static_cast<langevin_backend>(-1)),
            LANGEVIN_INVALID_INPUT);

  // MALA needs a log-density, which a model has not; reported as invalid input, not a crash.
  const std::string model_path = testing::TempDir() + "c_api_model.safetensors";
  langevin::TrainConfig train;
  train.hidden = {8};
  langevin::save_mlp(model_path, langevin::initial_model(1, train));
  const Model mlp = load(model_path);
  ASSERT_EQ(langevin_config_set_method(config.get(), LANGEVIN_MALA), LANGEVIN_OK);
  EXPECT_EQ(langevin_sample(mlp.get(), config.get(), out.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("mala"), std::string::npos);

  // A later success clears the message.
  ASSERT_EQ(langevin_config_set_method(config.get(), LANGEVIN_ULA), LANGEVIN_OK);
  EXPECT_STREQ(langevin_last_error(), "");
  langevin_model_free(nullptr);
  langevin_config_free(nullptr);
  langevin_result_free(nullptr);
}

TEST(CApiGpu, SamplesIntoDeviceMemoryAsTheCpuDoes) {
  LANGEVIN_REQUIRE_GPU();
  const Model model = load(kTwoModes);
  const Config config = small_config();
  ASSERT_EQ(langevin_config_set_backend(config.get(), LANGEVIN_BACKEND_CUDA), LANGEVIN_OK);
  langevin::DeviceBuffer<float> device_out(300);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), device_out.data(), 300,
                            LANGEVIN_DEVICE_MEMORY, nullptr),
            LANGEVIN_OK)
      << langevin_last_error();
  std::vector<float> gpu(300), cpu(300);
  device_out.download(gpu.data(), 300);
  ASSERT_EQ(langevin_config_set_backend(config.get(), LANGEVIN_BACKEND_CPU), LANGEVIN_OK);
  ASSERT_EQ(langevin_sample(model.get(), config.get(), cpu.data(), 300, LANGEVIN_HOST_MEMORY,
                            nullptr),
            LANGEVIN_OK);
  // The backends differ only in the last bits of transcendental functions; over 50 steps with
  // eps L <= 0.01 that stays below 1e-3 (1 + |x|) (the bound's derivation: cpu_gpu_test.cpp).
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_NEAR(gpu[i], cpu[i], 1e-3 * (1.0 + std::abs(cpu[i]))) << "chain " << i;
  }
}

}  // namespace
