#include "array_output.hpp"

#include <filesystem>

namespace langevin::cli {

bool is_hdf5_path(const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  return extension == ".h5" || extension == ".hdf5";
}

void check_array_output_path(const std::string& path, const std::string& option) {
  check_output_path(path, {".npy", ".h5", ".hdf5"}, option);
  if (is_hdf5_path(path) && !hdf5_available()) {
    throw InvalidInput(option + " = " + path + ": this build of langevin has no HDF5 support " +
                       "(install libhdf5-dev and rebuild)");
  }
}

void write_array_output(const std::string& path, const std::string& dataset, const Array& array,
                        const std::function<Hdf5Attributes()>& describe) {
  if (is_hdf5_path(path)) {
    write_hdf5(path, dataset, array, describe());
  } else {
    write_npy(path, array);
  }
}

Hdf5Attributes describe_output(const std::string& command,
                               const std::vector<std::int64_t>& shape) {
  return {{"command", command}, {"langevin_version", std::string(version())}, {"shape", shape}};
}

void describe_input_file(Hdf5Attributes& attributes, const std::string& key,
                         const std::string& path) {
  attributes[key + "_path"] = path;
  attributes[key + "_sha256"] = sha256_available()
                                    ? file_sha256(path)
                                    : std::string("unavailable (built without OpenSSL)");
}

void describe_score_source(Hdf5Attributes& attributes, const ScoreSourceOptions& source) {
  const bool model = !source.model_path.empty();
  attributes["target"] = std::string(model ? "model" : "gmm");
  describe_input_file(attributes, "target", model ? source.model_path : source.gmm_path);
}

}  // namespace langevin::cli
