#include <accel/data/csv.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include <accel/data/file_bytes.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::data {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

double parse_number(std::string_view cell, const std::string& path, int64_t line, int64_t column) {
  const std::string text(trim(cell));
  char* end = nullptr;
  errno = 0;
  const double value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
  ACCEL_CHECK(!text.empty() && end == text.c_str() + text.size() && errno != ERANGE, path, ":", line, " column ",
              column, ": '", text, "' is not a number");
  return value;
}

}  // namespace

CSVDataset::CSVDataset(const std::string& path, CSVOptions options) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::vector<double> values;
  int64_t columns = -1, rows = 0, line_number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || (options.header && line_number == 1)) continue;
    int64_t column = 0;
    for (size_t cell_start = 0;; ++column) {
      const size_t cell_end = std::min(line.find(options.delimiter, cell_start), line.size());
      values.push_back(parse_number(line.substr(cell_start, cell_end - cell_start), path, line_number, column + 1));
      if (cell_end == line.size()) break;
      cell_start = cell_end + 1;
    }
    ++column;
    if (columns < 0) columns = column;
    ACCEL_CHECK(column == columns, path, ":", line_number, ": ", column, " columns, expected ", columns,
                " as in the first row");
    ++rows;
  }
  ACCEL_CHECK(rows > 0, "CSVDataset: ", path, " has no data rows");
  const Tensor table = empty({rows, columns}, {.dtype = kFloat64});
  std::memcpy(table.data_ptr(), values.data(), values.size() * sizeof(double));
  if (!options.target_column) {
    features_ = table.to(options.dtype);
    return;
  }
  const int64_t target = *options.target_column < 0 ? *options.target_column + columns : *options.target_column;
  ACCEL_CHECK(target >= 0 && target < columns, "CSVDataset: target column ", *options.target_column, " of ", path,
              ", which has ", columns, " columns");
  targets_ = table.select(1, target).contiguous();
  if (!is_floating_point(options.target_dtype)) {
    const auto column = targets_.to_vector<double>();
    for (size_t i = 0; i < column.size(); ++i)
      ACCEL_CHECK(column[i] == std::floor(column[i]), path, ": row ", i + 1, " has target ", column[i],
                  ", expected an integer for ", name(options.target_dtype), " targets");
  }
  targets_ = targets_.to(options.target_dtype);
  std::vector<Tensor> parts;
  if (target > 0) parts.push_back(table.narrow(1, 0, target));
  if (target + 1 < columns) parts.push_back(table.narrow(1, target + 1, columns - target - 1));
  features_ = (parts.empty() ? empty({rows, 0}, {.dtype = kFloat64}) : cat(parts, 1)).to(options.dtype);
}

Example CSVDataset::get(int64_t index) const {
  check_index("CSVDataset", index, size());
  if (!targets_.defined()) return {features_.select(0, index)};
  return {features_.select(0, index), targets_.select(0, index)};
}

}  // namespace accel::data
