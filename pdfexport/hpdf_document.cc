#include "pdfexport/hpdf_document.h"

#include <cstdio>

namespace ledgerdesk::pdfexport {
namespace {

std::string_view ErrorName(HPDF_STATUS error) {
  switch (error) {
    case HPDF_FAILD_TO_ALLOC_MEM:
      return "out of memory";
    case HPDF_FILE_IO_ERROR:
      return "file I/O error";
    case HPDF_FILE_OPEN_ERROR:
      return "cannot open file";
    case HPDF_INVALID_FONT_NAME:
      return "invalid font name";
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
      return "the font's licence forbids embedding";
    case HPDF_TTF_INVALID_CMAP:
      return "invalid TrueType cmap";
    case HPDF_TTF_INVALID_FOMAT:
      return "invalid TrueType font";
    case HPDF_TTF_MISSING_TABLE:
      return "TrueType table missing";
    case HPDF_INVALID_ENCODER:
      return "invalid encoder";
    case HPDF_PAGE_OUT_OF_RANGE:
      return "drawing outside the page";
    case HPDF_STRING_OUT_OF_RANGE:
      return "string too long";
    case HPDF_PAGE_INVALID_GMODE:
      return "operation not allowed in this graphics mode";
    default:
      return "libharu error";
  }
}

}  // namespace

Result<std::unique_ptr<HpdfDocument>> HpdfDocument::Create() {
  std::unique_ptr<HpdfDocument> doc(new HpdfDocument());
  doc->doc_ = HPDF_New(&HpdfDocument::OnError, doc.get());
  if (doc->doc_ == nullptr) return Internal("libharu: cannot create a document (out of memory?)");
  return doc;
}

HpdfDocument::~HpdfDocument() {
  if (doc_ != nullptr) HPDF_Free(doc_);
}

void HPDF_STDCALL HpdfDocument::OnError(HPDF_STATUS error, HPDF_STATUS detail, void* user_data) {
  auto* self = static_cast<HpdfDocument*>(user_data);
  if (self->error_ == HPDF_OK) {  // the first error is the cause; later ones are its echoes
    self->error_ = error;
    self->detail_ = detail;
  }
}

Status HpdfDocument::Check(HPDF_STATUS returned, std::string_view what) const {
  if (returned == HPDF_OK && error_ == HPDF_OK) return OkStatus();
  const HPDF_STATUS error = error_ != HPDF_OK ? error_ : returned;
  char code[48];
  std::snprintf(code, sizeof code, " (0x%04X, detail %u)", static_cast<unsigned>(error),
                static_cast<unsigned>(detail_));
  std::string message =
      "libharu: " + std::string(what) + ": " + std::string(ErrorName(error)) + code;
  switch (error) {
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_MISSING_TABLE:
      return InvalidArgument(std::move(message));
    case HPDF_FILE_OPEN_ERROR:
    case HPDF_FILE_IO_ERROR:
      return Unavailable(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

Status HpdfDocument::CheckHandle(const void* handle, std::string_view what) const {
  if (handle == nullptr && error_ == HPDF_OK) {
    return Internal("libharu: " + std::string(what) + ": no result and no error reported");
  }
  return Check(HPDF_OK, what);
}

Result<std::string> HpdfDocument::SaveToString() {
  LD_RETURN_IF_ERROR(Check(HPDF_SaveToStream(doc_), "saving the document"));
  std::string bytes(HPDF_GetStreamSize(doc_), '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    HPDF_UINT32 chunk = static_cast<HPDF_UINT32>(bytes.size() - filled);
    const HPDF_STATUS status =
        HPDF_ReadFromStream(doc_, reinterpret_cast<HPDF_BYTE*>(bytes.data() + filled), &chunk);
    filled += chunk;
    if (status == HPDF_STREAM_EOF) {  // the end of the stream, which libharu reports as an error
      if (error_ == HPDF_STREAM_EOF) error_ = HPDF_OK;
      HPDF_ResetError(doc_);
      break;
    }
    LD_RETURN_IF_ERROR(Check(status, "reading the saved document"));
    if (chunk == 0) break;
  }
  if (filled != bytes.size()) return Internal("libharu: the saved document is shorter than said");
  return bytes;
}

}  // namespace ledgerdesk::pdfexport
