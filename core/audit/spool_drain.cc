#include "core/audit/spool_drain.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <iostream>

#include "core/audit/audit_record.h"
#include "core/domain/model.h"

namespace ledgerdesk::audit {
namespace {

namespace fs = std::filesystem;

}  // namespace

AppendRecord AppendThrough(app::WriteService& writes) {
  return [&writes](const v1::Envelope& record) -> Result<log::Position> {
    LD_ASSIGN_OR_RETURN(
        app::Outcome outcome,
        writes.Execute(
            record.actor(), [&record](const domain::Model&, const domain::CommandContext&) {
              return Result<std::vector<v1::Envelope>>(std::vector<v1::Envelope>{record});
            }));
    if (outcome.positions.empty()) return Internal("the spooled record was not appended");
    return outcome.positions.front();
  };
}

Result<DrainRound> DrainSpool(const fs::path& spool_dir, const AppendRecord& append) {
  DrainRound round;
  for (const fs::path& file : SpooledFiles(spool_dir)) {
    auto record = ReadSpooled(file);
    if (!record.ok() && record.status().code() == StatusCode::kNotFound) continue;
    std::error_code error;
    if (!record.ok()) {
      fs::rename(file, fs::path(file).replace_extension(".unreadable"), error);
      ++round.unreadable;
      continue;
    }
    LD_RETURN_IF_ERROR(append(*record).status().WithContext("appending " + file.string()));
    fs::remove(file, error);  // a crash before this appends the record again: a no-op
    ++round.appended;
  }
  return round;
}

Result<std::unique_ptr<SpoolDrain>> SpoolDrain::Start(fs::path spool_dir, AppendRecord append,
                                                      SpoolDrainOptions options) {
  std::error_code error;
  fs::create_directories(spool_dir, error);
  if (error) return Internal("cannot create " + spool_dir.string() + ": " + error.message());
  if (!options.report) {
    options.report = [](const std::string& line) { std::cerr << line << std::endl; };
  }
  std::unique_ptr<SpoolDrain> drain(
      new SpoolDrain(std::move(spool_dir), std::move(append), std::move(options)));
  drain->stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (drain->stop_fd_ < 0) return Internal("cannot create an eventfd for the audit spool drain");
  // Without inotify (a file system that does not support it) the drain still polls.
  drain->inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (drain->inotify_fd_ >= 0 && ::inotify_add_watch(drain->inotify_fd_, drain->spool_dir_.c_str(),
                                                     IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    ::close(drain->inotify_fd_);
    drain->inotify_fd_ = -1;
  }
  drain->thread_ = std::thread([d = drain.get()] { d->Run(); });
  return drain;
}

SpoolDrain::SpoolDrain(fs::path spool_dir, AppendRecord append, SpoolDrainOptions options)
    : spool_dir_(std::move(spool_dir)), append_(std::move(append)), options_(std::move(options)) {}

SpoolDrain::~SpoolDrain() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void SpoolDrain::Run() {
  std::array<pollfd, 2> fds = {pollfd{.fd = stop_fd_, .events = POLLIN, .revents = 0},
                               pollfd{.fd = inotify_fd_, .events = POLLIN, .revents = 0}};
  const nfds_t count = inotify_fd_ >= 0 ? 2 : 1;
  for (;;) {
    DrainAndReport();
    const int ready = ::poll(fds.data(), count, static_cast<int>(options_.poll_every.count()));
    if (ready > 0 && (fds[0].revents & POLLIN) != 0) return;
    if (count == 2 && (fds[1].revents & POLLIN) != 0) {
      std::array<char, 4096> events;  // what changed does not matter: the directory is read
      while (::read(inotify_fd_, events.data(), events.size()) > 0) {
      }
    }
  }
}

void SpoolDrain::DrainAndReport() {
  auto round = DrainSpool(spool_dir_, append_);
  if (!round.ok()) {
    // Said once per distinct problem, not every round while it lasts.
    if (round.status().message() != last_problem_) {
      last_problem_ = round.status().message();
      options_.report("audit spool: " + last_problem_ + " (retrying)");
    }
    return;
  }
  last_problem_.clear();
  if (round->appended > 0) {
    options_.report("audit spool: appended " + std::to_string(round->appended) +
                    " spooled audit record(s) to the log");
  }
  if (round->unreadable > 0) {
    options_.report("audit spool: " + std::to_string(round->unreadable) +
                    " file(s) are no audit record; renamed to *.unreadable in " +
                    spool_dir_.string());
  }
}

}  // namespace ledgerdesk::audit
