#include <accel/data/file_bytes.h>

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <accel/tensor/error.h>

namespace accel::data {
namespace {

bool is_gzip(const std::vector<uint8_t>& bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

// Inflates every gzip member (gzip allows several, concatenated).
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& path) {
  std::vector<uint8_t> out;
  z_stream stream{};
  ACCEL_CHECK(inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK, "read_file_bytes: zlib init failed for ", path);
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  ACCEL_CHECK(compressed.size() == stream.avail_in, path, ": gzip file too large (", compressed.size(), " bytes)");
  uint8_t chunk[1 << 16];
  int rc = Z_OK;
  for (;;) {
    stream.next_out = chunk;
    stream.avail_out = sizeof(chunk);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - stream.avail_out));
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      if (inflateReset(&stream) != Z_OK) break;  // the next member
      continue;
    }
    if (rc != Z_OK) break;
    if (stream.avail_in == 0 && stream.avail_out != 0) {  // input ended inside a member
      rc = Z_BUF_ERROR;
      break;
    }
  }
  const std::string message = stream.msg ? stream.msg : "";
  inflateEnd(&stream);
  ACCEL_CHECK(rc == Z_STREAM_END, path, ": corrupt or truncated gzip data",
              message.empty() ? std::string() : " (" + message + ")");
  return out;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  ACCEL_CHECK(file.good(), path, ": cannot open (", std::strerror(errno), ")");
  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  ACCEL_CHECK(size >= 0, path, ": cannot determine the file size");
  file.seekg(0);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  file.read(reinterpret_cast<char*>(bytes.data()), size);
  ACCEL_CHECK(file.gcount() == size, path, ": read error");
  return is_gzip(bytes) ? gunzip(bytes, path) : bytes;
}

}  // namespace accel::data
