// mpi::write_npy, mpi::write_hdf5 and mpi::gather (include/langevin/mpi.hpp): one output file for
// a run whose rows are spread over the ranks.

#include "io/atomic_file.hpp"
#include "io/hdf5_rows.hpp"
#include "io/npy_format.hpp"
#include "mpi_status.hpp"

#include <langevin/mpi.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>

namespace langevin::mpi {
namespace {

/// The bytes of one collective write call: MPI counts are ints, and a call of this size keeps
/// the float-to-bytes buffer small.
constexpr std::int64_t kChunkFloats = std::int64_t{1} << 24;

/// Floats of one row (one chain): the product of the shape's extents after the first.
std::int64_t row_floats(const std::vector<std::int64_t>& shape) {
  std::int64_t floats = 1;
  for (std::size_t axis = 1; axis < shape.size(); ++axis) floats *= shape[axis];
  return floats;
}

void check_rows(const Array& rows, const std::vector<std::int64_t>& shape,
                std::int64_t first_row, const char* what) {
  if (shape.empty()) throw InvalidInput(std::string(what) + ": the array's shape is ()");
  const std::int64_t per_row = row_floats(shape);
  const std::int64_t count = per_row > 0 ? rows.size() / per_row : 0;
  if (rows.size() != count * per_row || first_row < 0 || first_row + count > shape[0]) {
    throw InvalidInput(std::string(what) + ": rows of shape " + rows.shape_string() +
                       " from row " + std::to_string(first_row) + " do not fit an array of " +
                       "shape " + format_shape(shape));
  }
}

[[noreturn]] void fail_to_write(const std::string& path, const std::string& reason) {
  throw Error("cannot write " + path + ": " + reason);
}

/// Writes the rows every rank holds into one file at `path`: rank 0 creates a temporary file
/// beside it (exclusively: the rename then stays on one file system) and lays out everything but
/// the data (`lay_out`, which returns the data's byte offset); every rank writes its rows there
/// through MPI-IO's collective writes; once every rank's writes succeeded rank 0 renames the file
/// to `path`, else removes it.
void write_rows(MPI_Comm caller, const std::string& path, const Array& rows,
                const std::vector<std::int64_t>& shape, std::int64_t first_row,
                const std::function<std::uint64_t(const std::string& temporary)>& lay_out) {
  const detail::OwnComm comm(caller);
  const bool lead = comm.rank() == 0;
  std::string temporary = langevin::detail::temporary_name_for(path);
  std::uint64_t data_offset = 0;
  agree(comm.get(), [&] {
    check_rows(rows, shape, first_row, path.c_str());
    if (!lead) return;
    const int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor < 0) fail_to_write(path, std::strerror(errno));
    ::close(descriptor);
    try {
      data_offset = lay_out(temporary);
    } catch (...) {
      ::unlink(temporary.c_str());
      throw;
    }
  });
  int length = static_cast<int>(temporary.size());
  detail::check(MPI_Bcast(&length, 1, MPI_INT, 0, comm.get()), "MPI_Bcast");
  temporary.resize(static_cast<std::size_t>(length));
  detail::check(MPI_Bcast(temporary.data(), length, MPI_CHAR, 0, comm.get()), "MPI_Bcast");
  detail::check(MPI_Bcast(&data_offset, 1, MPI_UINT64_T, 0, comm.get()), "MPI_Bcast");

  // Every rank calls the collective writes equally often (empty ones when its rows are done);
  // a failed call is remembered, not thrown, until all have been made.
  const std::int64_t per_row = row_floats(shape);
  const std::int64_t floats = rows.size();
  const std::int64_t calls_mine = (floats + kChunkFloats - 1) / kChunkFloats;
  std::int64_t calls = 0;
  detail::check(MPI_Allreduce(&calls_mine, &calls, 1, MPI_INT64_T, MPI_MAX, comm.get()),
                "MPI_Allreduce");
  MPI_File file = MPI_FILE_NULL;
  const int opened = MPI_File_open(comm.get(), temporary.c_str(), MPI_MODE_WRONLY, MPI_INFO_NULL,
                                   &file);
  std::string failure;
  auto note = [&](int code, const char* call) {
    if (code == MPI_SUCCESS || !failure.empty()) return;
    try {
      detail::check(code, call);
    } catch (const Error& error) {
      failure = error.what();
    }
  };
  note(opened, "MPI_File_open");
  if (opened == MPI_SUCCESS) {
    const MPI_Offset start = static_cast<MPI_Offset>(data_offset) +
                             static_cast<MPI_Offset>(first_row) * per_row * 4;
    std::vector<unsigned char> bytes;
    for (std::int64_t call = 0; call < calls; ++call) {
      const std::int64_t begin = std::min(floats, call * kChunkFloats);
      const std::int64_t count = std::min(kChunkFloats, floats - begin);
      bytes.resize(static_cast<std::size_t>(count) * 4);
      langevin::detail::float32_little_endian(rows.data() + begin, static_cast<std::size_t>(count),
                                              bytes.data());
      note(MPI_File_write_at_all(file, start + begin * 4, bytes.data(), static_cast<int>(count * 4),
                                 MPI_BYTE, MPI_STATUS_IGNORE),
           "MPI_File_write_at_all");
    }
    note(MPI_File_sync(file), "MPI_File_sync");
    note(MPI_File_close(&file), "MPI_File_close");
  }
  // Then the outcome is agreed, and rank 0 renames the file or removes it.
  try {
    agree(comm.get(), [&] {
      if (!failure.empty()) fail_to_write(path, failure);
    });
  } catch (const Error&) {
    if (lead) ::unlink(temporary.c_str());
    throw;
  }
  agree(comm.get(), [&] {
    if (!lead) return;
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      const int error_number = errno;
      ::unlink(temporary.c_str());
      fail_to_write(path, std::strerror(error_number));
    }
    langevin::detail::sync_directory_of(path);
  });
}

}  // namespace

void write_npy(MPI_Comm comm, const std::string& path, const Array& rows,
               const std::vector<std::int64_t>& shape, std::int64_t first_row) {
  detail::require_initialized("langevin::mpi::write_npy");
  write_rows(comm, path, rows, shape, first_row, [&](const std::string& temporary) {
    const std::string preamble = langevin::detail::npy_preamble(shape);
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (file == nullptr) fail_to_write(path, std::strerror(errno));
    const bool written = std::fwrite(preamble.data(), 1, preamble.size(), file) == preamble.size();
    const int error_number = errno;
    if (std::fclose(file) != 0 || !written) {
      fail_to_write(path, std::strerror(written ? errno : error_number));
    }
    return static_cast<std::uint64_t>(preamble.size());
  });
}

void write_hdf5(MPI_Comm comm, const std::string& path, const std::string& dataset,
                const Array& rows, const std::vector<std::int64_t>& shape, std::int64_t first_row,
                const Hdf5Attributes& attributes) {
  detail::require_initialized("langevin::mpi::write_hdf5");
  write_rows(comm, path, rows, shape, first_row, [&](const std::string& temporary) {
    return langevin::detail::create_hdf5_for_rows(temporary, path, dataset, shape, attributes);
  });
}

Array gather(MPI_Comm caller, const Array& rows, const std::vector<std::int64_t>& shape, int root) {
  detail::require_initialized("langevin::mpi::gather");
  const detail::OwnComm comm(caller);
  agree(comm.get(), [&] {
    check_rows(rows, shape, 0, "langevin::mpi::gather");
    if (root < 0 || root >= comm.size()) {
      throw InvalidInput("root = " + std::to_string(root) + ": must be a rank in [0, " +
                         std::to_string(comm.size()) + ")");
    }
  });
  const std::int64_t mine = rows.size();
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(comm.size()));
  detail::check(MPI_Gather(&mine, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, root, comm.get()),
                "MPI_Gather");
  Array whole;
  agree(comm.get(), [&] {
    if (comm.rank() != root) return;
    std::int64_t total = 0;
    for (const std::int64_t size : sizes) total += size;
    if (total != element_count(shape)) {
      throw InvalidInput("langevin::mpi::gather: the ranks hold " + std::to_string(total) +
                         " values, an array of shape " + format_shape(shape) + " has " +
                         std::to_string(element_count(shape)));
    }
    whole = Array(shape);
  });
  // Point to point in rank order and in chunks (MPI counts are ints).
  const int tag = 0;
  if (comm.rank() == root) {
    std::int64_t at = 0;
    for (int r = 0; r < comm.size(); ++r) {
      const std::int64_t size = sizes[static_cast<std::size_t>(r)];
      for (std::int64_t done = 0; done < size; done += kChunkFloats) {
        const int count = static_cast<int>(std::min(kChunkFloats, size - done));
        if (r == root) {
          std::copy(rows.data() + done, rows.data() + done + count, whole.data() + at + done);
        } else {
          detail::check(MPI_Recv(whole.data() + at + done, count, MPI_FLOAT, r, tag, comm.get(),
                                 MPI_STATUS_IGNORE),
                        "MPI_Recv");
        }
      }
      at += size;
    }
  } else {
    for (std::int64_t done = 0; done < mine; done += kChunkFloats) {
      const int count = static_cast<int>(std::min(kChunkFloats, mine - done));
      detail::check(MPI_Send(rows.data() + done, count, MPI_FLOAT, root, tag, comm.get()),
                    "MPI_Send");
    }
  }
  return whole;
}

}  // namespace langevin::mpi
