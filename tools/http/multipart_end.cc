#include "tools/http/multipart_end.h"

namespace ledgerdesk::tools::http {

MultipartEndWatch::MultipartEndWatch(std::istream& body, std::string boundary)
    : body_(body), close_delimiter_("--" + boundary + "--") {}

MultipartEndWatch::int_type MultipartEndWatch::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  body_.read(buffer_, sizeof buffer_);
  const std::streamsize got = body_.gcount();
  if (got <= 0) return traits_type::eof();
  if (!saw_end_) {
    window_.append(buffer_, static_cast<size_t>(got));
    saw_end_ = window_.find(close_delimiter_) != std::string::npos;
    const size_t keep = close_delimiter_.size() - 1;
    if (window_.size() > keep) window_.erase(0, window_.size() - keep);
  }
  setg(buffer_, buffer_, buffer_ + got);
  return traits_type::to_int_type(*gptr());
}

}  // namespace ledgerdesk::tools::http
