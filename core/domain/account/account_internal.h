#pragma once

// Helpers the account aggregate's .cc files share (not part of its interface).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "core/domain/account/account.h"
#include "core/domain/event_builder.h"
#include "core/domain/sealer.h"

namespace ledgerdesk::domain {

EventBuilder AccountEventBuilder(const Model& model, const CommandContext& context);

// Queues a mail to `to` (sealed under `account_id`, like its subject and body) on the account's
// stream.
Status QueueAccountMail(EventBuilder& events, const CommandContext& context, Sealer& sealer,
                        const std::string& account_id, const v1::Sealed& to,
                        std::string_view mail_template, std::string_view subject,
                        std::string_view body);

// kFailedPrecondition starting with kAccountLockedCode.
Status AccountLockedRefusal();

// After a failure that made `failures` in a row: at the limit, locks the account and ends its
// sessions.
void LockAtLimit(const Model& model, const AccountState& account, uint32_t failures,
                 EventBuilder& events, const CommandContext& context);

// Ends every session of the account that is active at `context.now`, giving `reason`.
void EndActiveSessions(const Model& model, const AccountState& account, std::string_view reason,
                       EventBuilder& events, const CommandContext& context);

}  // namespace ledgerdesk::domain
