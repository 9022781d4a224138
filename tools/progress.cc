#include "tools/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace ledgerdesk::tools {
namespace {

std::string Duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ldh%02ldm", total / 3600, total / 60 % 60);
  } else if (total >= 60) {
    std::snprintf(text, sizeof text, "%ldm%02lds", total / 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lds", total);
  }
  return text;
}

}  // namespace

ProgressReporter::ProgressReporter(std::string unit, std::FILE* out,
                                   std::optional<bool> interactive,
                                   std::chrono::milliseconds interval)
    : unit_(std::move(unit)),
      out_(out),
      interactive_(interactive.value_or(::isatty(::fileno(out)) == 1)),
      interval_(interactive_ ? std::chrono::milliseconds(100) : interval),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

std::string ProgressReporter::Line(bool bar, int64_t done, int64_t total, double seconds,
                                   const std::string& unit, const std::string& note) {
  std::string line;
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  if (bar && total > 0) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * std::min<int64_t>(done, total) / total);
    line += "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
  }
  char text[160];
  if (total > 0) {
    std::snprintf(text, sizeof text, "%3d%% %lld/%lld %s", static_cast<int>(100 * done / total),
                  static_cast<long long>(done), static_cast<long long>(total), unit.c_str());
  } else {
    std::snprintf(text, sizeof text, "%lld %s", static_cast<long long>(done), unit.c_str());
  }
  line += text;
  std::snprintf(text, sizeof text, " %.0f/s", rate);
  line += text;
  if (total > 0 && done < total && rate > 0) {
    line += " ETA " + Duration(static_cast<double>(total - done) / rate);
  } else {
    line += " " + Duration(seconds);
  }
  if (!note.empty()) line += " (" + note + ")";
  return line;
}

void ProgressReporter::Update(int64_t done, int64_t total, const std::string& note) {
  const auto now = std::chrono::steady_clock::now();
  if (printed_ && now - last_print_ < interval_) return;
  last_print_ = now;
  Print(done, total, note);
}

std::function<void(uint64_t, uint64_t, const std::string&)> ProgressReporter::Updater() {
  return [this](uint64_t done, uint64_t total, const std::string& note) {
    Update(static_cast<int64_t>(done), static_cast<int64_t>(total), note);
  };
}

void ProgressReporter::Finish(int64_t done, int64_t total, const std::string& note) {
  Print(done, total, note);
  if (interactive_) std::fputc('\n', out_);
  std::fflush(out_);
}

void ProgressReporter::Print(int64_t done, int64_t total, const std::string& note) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = Line(interactive_, done, total, seconds, unit_, note);
  if (interactive_) {
    std::fprintf(out_, "\r%s\033[K", line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  printed_ = true;
}

}  // namespace ledgerdesk::tools
