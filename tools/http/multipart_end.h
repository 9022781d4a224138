#pragma once

// Whether a multipart/form-data body came whole. Poco's multipart reader takes the end of the
// stream for the end of the part it is reading, so a body cut short after a part's headers would
// store a truncated (or empty) file. This stream passes the body through and watches for the close
// delimiter ("--" boundary "--", RFC 2046 §5.1.1), which only a whole body has.

#include <istream>
#include <streambuf>
#include <string>

namespace ledgerdesk::tools::http {

class MultipartEndWatch : public std::streambuf {
 public:
  // Reads `body`, whose parts are separated by `boundary` (the Content-Type's parameter).
  MultipartEndWatch(std::istream& body, std::string boundary);

  // True once the close delimiter has gone by.
  bool saw_end() const { return saw_end_; }

 protected:
  int_type underflow() override;

 private:
  std::istream& body_;
  const std::string close_delimiter_;
  std::string window_;  // the last bytes read, long enough to find a delimiter split across reads
  char buffer_[8192];
  bool saw_end_ = false;
};

}  // namespace ledgerdesk::tools::http
