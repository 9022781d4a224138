#pragma once

// Internal to pdfexport: a libharu document owned RAII-style, its error callback turned into a
// Status. One HpdfDocument per thread at a time; distinct documents are independent.

#include <hpdf.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace ledgerdesk::pdfexport {

class HpdfDocument {
 public:
  // A new empty document; Internal if libharu cannot allocate one.
  static Result<std::unique_ptr<HpdfDocument>> Create();
  ~HpdfDocument();
  HpdfDocument(const HpdfDocument&) = delete;
  HpdfDocument& operator=(const HpdfDocument&) = delete;

  HPDF_Doc get() const { return doc_; }

  // OK when `returned` is HPDF_OK and libharu has reported no error so far; otherwise the first
  // error, described with `what` (the operation) as context.
  Status Check(HPDF_STATUS returned, std::string_view what) const;
  // For libharu calls that return a handle: OK when it is non-null and no error was reported.
  Status CheckHandle(const void* handle, std::string_view what) const;

  // The document serialized to bytes.
  Result<std::string> SaveToString();

 private:
  HpdfDocument() = default;
  static void HPDF_STDCALL OnError(HPDF_STATUS error, HPDF_STATUS detail, void* user_data);

  HPDF_Doc doc_ = nullptr;
  HPDF_STATUS error_ = HPDF_OK;
  HPDF_STATUS detail_ = 0;
};

}  // namespace ledgerdesk::pdfexport
