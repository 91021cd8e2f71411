#pragma once
// A file watched through inotify on its directory (close after write, create by
// rename, move away, delete, mode change), so that every way an operator or an
// editor replaces a file is seen without polling; and small reads and writes of it.
// One inotify descriptor per watched file, read on an asio loop.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace holdfast::netio {

class FileWatch {
 public:
  // `changed` runs on `io` after each batch of events naming the file. An error when
  // the directory does not exist or cannot be watched.
  static std::expected<std::unique_ptr<FileWatch>, std::string> open(boost::asio::io_context& io,
                                                                     const std::string& path,
                                                                     std::function<void()> changed);
  ~FileWatch();

  // The first `limit` bytes; nullopt when the file does not exist; an error text when
  // it cannot be read (a directory, no permission).
  std::expected<std::optional<std::string>, std::string> read(size_t limit = 127) const;
  // Replaces the content (created with mode 0644 when missing).
  std::expected<void, std::string> write(const std::string& content) const;

 private:
  FileWatch(boost::asio::io_context& io, int fd, std::string path, std::string name,
            std::function<void()> changed);
  void arm();
  void drain();

  boost::asio::posix::stream_descriptor inotify_;
  std::string path_;  // the directory resolved, then the name
  std::string name_;  // the file's name in its directory
  std::function<void()> changed_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace holdfast::netio
