#include "core/crypto/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "core/crypto/sodium_init.h"
#include "core/crypto/tokens.h"
#include "core/values/ascii.h"

namespace ledgerdesk::crypto {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

Status CheckParams(const TotpParams& params) {
  if (params.digits < 6 || params.digits > 9) {
    return InvalidArgument("TOTP codes must have 6 to 9 digits");
  }
  if (params.period_seconds <= 0) return InvalidArgument("TOTP period must be positive");
  if (params.window_steps < 0) return InvalidArgument("TOTP window must not be negative");
  return OkStatus();
}

}  // namespace

std::string Base32Encode(std::string_view bytes, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 0x1F];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1F];
  if (pad) {
    while (out.size() % 8 != 0) out += '=';
  }
  return out;
}

Result<std::string> Base32Decode(std::string_view text) {
  const size_t padding_start = text.find('=');
  std::string_view data = text.substr(0, padding_start);
  if (padding_start != std::string_view::npos) {
    const std::string_view padding = text.substr(padding_start);
    if (padding.find_first_not_of('=') != std::string_view::npos || text.size() % 8 != 0) {
      return InvalidArgument("base32 text has misplaced '=' padding");
    }
  }
  // Valid unpadded lengths modulo 8: 0, 2, 4, 5, 7 (1, 2, 3, 4 bytes in the last group).
  const size_t remainder = data.size() % 8;
  if (remainder == 1 || remainder == 3 || remainder == 6) {
    return InvalidArgument("base32 text has an impossible length");
  }
  if (padding_start != std::string_view::npos && remainder == 0) {
    return InvalidArgument("base32 text has misplaced '=' padding");
  }
  std::string out;
  out.reserve(data.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : data) {
    const int value = Base32Value(c);
    if (value < 0) {
      return InvalidArgument("base32 text may contain only the letters A-Z and digits 2-7");
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string GenerateTotpSecret() { return RandomBytes(kTotpSecretBytes); }

Result<std::string> Hotp(std::string_view secret, uint64_t counter, int digits) {
  if (secret.empty()) return InvalidArgument("TOTP secret is empty");
  if (digits < 6 || digits > 9) return InvalidArgument("TOTP codes must have 6 to 9 digits");
  std::array<unsigned char, 8> message;
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac;
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message.data(),
           message.size(), mac.data(), &mac_size) == nullptr ||
      mac_size != 20) {
    return Internal("HMAC-SHA1 failed");
  }
  // RFC 4226 5.3: dynamic truncation.
  const int offset = mac[19] & 0x0F;
  const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                          (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                          (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                          static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  code.insert(0, static_cast<size_t>(digits) - code.size(), '0');
  return code;
}

int64_t TotpStep(int64_t unix_time, const TotpParams& params) {
  return unix_time / params.period_seconds;
}

Result<std::string> TotpCode(std::string_view secret, int64_t unix_time, const TotpParams& params) {
  LD_RETURN_IF_ERROR(CheckParams(params));
  if (unix_time < 0) return InvalidArgument("TOTP time must not be before 1970");
  return Hotp(secret, static_cast<uint64_t>(TotpStep(unix_time, params)), params.digits);
}

Result<int64_t> VerifyTotp(std::string_view secret, std::string_view code, int64_t unix_time,
                           int64_t last_used_step, const TotpParams& params) {
  LD_RETURN_IF_ERROR(CheckParams(params));
  if (unix_time < 0) return InvalidArgument("TOTP time must not be before 1970");
  bool well_formed = code.size() == static_cast<size_t>(params.digits);
  for (char c : code) well_formed = well_formed && c >= '0' && c <= '9';
  if (!well_formed) {
    return InvalidArgument("code must be the " + std::to_string(params.digits) +
                           " digits shown by the authenticator app");
  }
  const int64_t now = TotpStep(unix_time, params);
  bool matched_used_step = false;
  // Try every step of the window (no early exit on the first match) so the time taken does
  // not tell which step matched.
  int64_t accepted = -1;
  for (int64_t step = now - params.window_steps; step <= now + params.window_steps; ++step) {
    if (step < 0) continue;
    LD_ASSIGN_OR_RETURN(const std::string expected,
                        Hotp(secret, static_cast<uint64_t>(step), params.digits));
    if (!ConstantTimeEquals(expected, code)) continue;
    if (step <= last_used_step) {
      matched_used_step = true;
    } else if (accepted < 0) {
      accepted = step;
    }
  }
  if (accepted >= 0) return accepted;
  if (matched_used_step)
    return Unauthenticated("this code was already used: wait for the next one");
  return Unauthenticated("the code is wrong or has expired");
}

std::string OtpauthUri(std::string_view issuer, std::string_view account_label,
                       std::string_view secret, const TotpParams& params) {
  std::string uri = "otpauth://totp/";
  uri += values::PercentEncode(issuer);
  uri += ':';
  uri += values::PercentEncode(account_label);
  uri += "?secret=" + Base32Encode(secret, /*pad=*/false);
  uri += "&issuer=" + values::PercentEncode(issuer);
  uri += "&algorithm=SHA1&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.period_seconds);
  return uri;
}

}  // namespace ledgerdesk::crypto
