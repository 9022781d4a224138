#pragma once

// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1) and the base32 text
// form of their secrets (RFC 4648). Pure functions of their inputs: the caller passes the time.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace ledgerdesk::crypto {

// What authenticator apps default to and what we tell them in the otpauth URI.
struct TotpParams {
  int digits = 6;  // 6..9 (tests use 8 for the RFC 6238 vectors)
  int64_t period_seconds = 30;
  int window_steps = 1;  // accept codes this many steps before or after now
};

// No code has been used yet: pass as `last_used_step` on the first verification.
inline constexpr int64_t kNoStepUsed = -1;

inline constexpr size_t kTotpSecretBytes = 20;  // 160 bits, as RFC 4226 recommends for SHA-1

// RFC 4648 base32 (A-Z2-7). Encode pads with '=' only if `pad` (otpauth URIs want no padding).
std::string Base32Encode(std::string_view bytes, bool pad = true);
// Decodes base32, ignoring letter case; padding is optional but, if present, must be correct.
// Errors: kInvalidArgument for other characters or an impossible length.
Result<std::string> Base32Decode(std::string_view text);

// A fresh random secret of kTotpSecretBytes raw bytes. Thread-safe.
std::string GenerateTotpSecret();

// The RFC 4226 HOTP value for `counter`, zero-padded to `digits` digits.
// Errors: kInvalidArgument if the secret is empty or digits is outside 6..9.
Result<std::string> Hotp(std::string_view secret, uint64_t counter, int digits);

// The time step of `unix_time` (seconds since the epoch, >= 0).
int64_t TotpStep(int64_t unix_time, const TotpParams& params = {});

// The code for the step containing `unix_time`. Errors: as Hotp, or a negative time.
Result<std::string> TotpCode(std::string_view secret, int64_t unix_time,
                             const TotpParams& params = {});

// Checks a code typed at `unix_time` against the steps now-window..now+window and returns the
// step it matched, which the caller records as the new last used step. A code is accepted once:
// a match at a step <= `last_used_step` is refused, so a replayed (or an earlier) code fails.
// Errors: kInvalidArgument if `code` is not exactly `digits` ASCII digits or the time is
// negative; kUnauthenticated if it matches no usable step (wrong, expired or already used).
Result<int64_t> VerifyTotp(std::string_view secret, std::string_view code, int64_t unix_time,
                           int64_t last_used_step, const TotpParams& params = {});

// The enrolment URI for authenticator apps (Key Uri Format):
//   otpauth://totp/<issuer>:<account>?secret=<base32, no padding>&issuer=<issuer>
//       &algorithm=SHA1&digits=<digits>&period=<period>
// with issuer and account percent-encoded (RFC 3986 unreserved characters kept, a space as %20).
std::string OtpauthUri(std::string_view issuer, std::string_view account_label,
                       std::string_view secret, const TotpParams& params = {});

inline constexpr std::string_view kTotpIssuer = "ledgerdesk";

}  // namespace ledgerdesk::crypto
