#include "tools/operator_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace ledgerdesk::tools {
namespace {

constexpr uint32_t kMaxStrings = 1024;
constexpr uint32_t kMaxStringBytes = 16u << 20;
constexpr auto kServerTimeout = std::chrono::seconds(10);  // a client that stalls is dropped

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string Errno(int error) { return std::strerror(error); }

// The address of `name` in the directory `dir_fd` stands for. A data dir's path may be longer than
// sun_path holds (108 bytes): then the socket is named through /proc/self/fd, which is short.
Result<sockaddr_un> AddressOf(const std::filesystem::path& path, int dir_fd) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string text = path.string();
  if (text.size() >= sizeof address.sun_path) {
    text = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + path.filename().string();
  }
  if (text.size() >= sizeof address.sun_path) {
    return InvalidArgument("the socket name " + path.filename().string() + " is too long");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  return address;
}

Result<Fd> OpenDir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return NotFound("cannot open " + dir.string() + ": " + Errno(errno));
  return fd;
}

void SetTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

bool ReadAll(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t got = ::recv(fd, data, size, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    data += got;
    size -= static_cast<size_t>(got);
  }
  return true;
}

void PutUint32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

bool ReadUint32(int fd, uint32_t& value) {
  unsigned char bytes[4];
  if (!ReadAll(fd, reinterpret_cast<char*>(bytes), sizeof bytes)) return false;
  value = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
          uint32_t{bytes[3]};
  return true;
}

bool WriteStrings(int fd, const std::vector<std::string>& strings) {
  std::string frame;
  PutUint32(frame, static_cast<uint32_t>(strings.size()));
  for (const std::string& text : strings) {
    PutUint32(frame, static_cast<uint32_t>(text.size()));
    frame += text;
  }
  return WriteAll(fd, frame.data(), frame.size());
}

// The strings of one frame, or nullopt for a broken or oversized one.
std::optional<std::vector<std::string>> ReadStrings(int fd) {
  uint32_t count = 0;
  if (!ReadUint32(fd, count) || count > kMaxStrings) return std::nullopt;
  std::vector<std::string> strings(count);
  for (std::string& text : strings) {
    uint32_t size = 0;
    if (!ReadUint32(fd, size) || size > kMaxStringBytes) return std::nullopt;
    text.resize(size);
    if (!ReadAll(fd, text.data(), size)) return std::nullopt;
  }
  return strings;
}

}  // namespace

std::filesystem::path OperatorSocketPath(const std::filesystem::path& data_dir) {
  return data_dir / "operator.sock";
}

Result<std::unique_ptr<OperatorSocketServer>> OperatorSocketServer::Start(
    const std::filesystem::path& path, OperatorHandler handle) {
  auto failed = [&](const std::string& what) {
    return Unavailable("cannot " + what + " the operator socket " + path.string() + ": " +
                       Errno(errno));
  };
  LD_ASSIGN_OR_RETURN(Fd dir, OpenDir(path.parent_path()));
  // Made under a temporary name and renamed into place once it is private and listening, so a
  // client never finds a socket with the wrong mode, and a stale one is replaced in one step.
  const std::filesystem::path temporary =
      path.parent_path() / ("." + path.filename().string() + "." + std::to_string(::getpid()));
  ::unlink(temporary.c_str());
  Fd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return failed("create");
  LD_ASSIGN_OR_RETURN(const sockaddr_un address, AddressOf(temporary, dir.get()));
  if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return failed("bind");
  }
  if (::chmod(temporary.c_str(), 0600) != 0 || ::listen(socket.get(), 16) != 0 ||
      ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    errno = error;
    return failed("set up");
  }
  Fd wake(::eventfd(0, EFD_CLOEXEC));
  if (wake.get() < 0) {
    ::unlink(path.c_str());
    return failed("create the wake-up of");
  }
  return std::unique_ptr<OperatorSocketServer>(
      new OperatorSocketServer(path, socket.release(), wake.release(), std::move(handle)));
}

OperatorSocketServer::OperatorSocketServer(std::filesystem::path path, int listen_fd, int wake_fd,
                                           OperatorHandler handle)
    : path_(std::move(path)),
      listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      handle_(std::move(handle)),
      thread_([this] { Run(); }) {}

OperatorSocketServer::~OperatorSocketServer() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::unlink(path_.c_str());
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void OperatorSocketServer::Run() {
  for (;;) {
    pollfd fds[2] = {{.fd = listen_fd_, .events = POLLIN, .revents = 0},
                     {.fd = wake_fd_, .events = POLLIN, .revents = 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      std::cerr << "ledgerdesk serve: operator socket: " << Errno(errno) << std::endl;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    Fd client(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (client.get() < 0) continue;
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(client.get(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 ||
        peer.uid != ::geteuid()) {
      continue;  // only the user who runs serve (the socket's mode says so too)
    }
    SetTimeouts(client.get(), kServerTimeout);
    Serve(client.get());
  }
}

void OperatorSocketServer::Serve(int fd) {
  auto request = ReadStrings(fd);
  OperatorAnswer answer;
  if (!request || request->empty()) {
    answer = {.exit_code = 2, .out = "", .err = "ledgerdesk: a malformed operator request\n"};
  } else {
    answer = handle_(*request);
  }
  WriteStrings(fd, {std::to_string(answer.exit_code), answer.out, answer.err});
}

Result<std::optional<OperatorAnswer>> SendOperatorRequest(const std::filesystem::path& path,
                                                          const std::vector<std::string>& request,
                                                          std::chrono::milliseconds timeout) {
  auto dir = OpenDir(path.parent_path());
  if (!dir.ok()) return std::optional<OperatorAnswer>();  // no data dir: no serve either
  Fd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return Unavailable("cannot create a socket: " + Errno(errno));
  LD_ASSIGN_OR_RETURN(const sockaddr_un address, AddressOf(path, dir->get()));
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) return std::optional<OperatorAnswer>();
    return Unavailable("cannot reach the running serve on " + path.string() + ": " + Errno(errno));
  }
  SetTimeouts(socket.get(), timeout);
  if (!WriteStrings(socket.get(), request)) {
    return Unavailable("the running serve on " + path.string() + " did not take the command");
  }
  auto answer = ReadStrings(socket.get());
  if (!answer || answer->size() != 3) {
    return Unavailable("the running serve on " + path.string() +
                       " did not answer (the command may or may not have been done)");
  }
  OperatorAnswer result{.exit_code = 1, .out = (*answer)[1], .err = (*answer)[2]};
  try {
    result.exit_code = std::stoi((*answer)[0]);
  } catch (const std::exception&) {
    return Unavailable("the running serve on " + path.string() + " answered garbage");
  }
  return std::optional<OperatorAnswer>(std::move(result));
}

}  // namespace ledgerdesk::tools
