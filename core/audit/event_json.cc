#include "core/audit/event_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <cstdio>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::audit {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string RoleName(v1::Role role) {
  std::string name = v1::Role_Name(role);
  constexpr std::string_view kPrefix = "ROLE_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

constexpr std::string_view kWithheld = "[withheld: security secret]";

// What protects an account rather than describes the person: a password hash (to crack), a token
// hash, the TOTP secret, an account mail's body (its one-time link or code). An auditor's report
// (and the access report a person is given) shows that there was one, not what it was.
bool IsSecret(const std::string& path, const v1::Envelope& envelope) {
  if (path.ends_with("password_hash") || path.ends_with("token_hash")) return true;
  if (path == "TotpEnrollmentStarted.secret") return true;
  return path == "EmailQueued.body" && envelope.email_queued().template_() != "ticket_update";
}

class Printer {
 public:
  Printer(const app::PersonalData& personal, const v1::Envelope& envelope, OpenedEvent& event)
      : personal_(personal), envelope_(envelope), event_(event) {}

  Result<std::string> Message(const google::protobuf::Message& message, const std::string& path) {
    if (IsSecret(path, envelope_)) return JsonString(kWithheld);
    if (message.GetDescriptor() == v1::Sealed::descriptor()) {
      LD_ASSIGN_OR_RETURN(std::string plain,
                          personal_.Open(static_cast<const v1::Sealed&>(message)));
      event_.personal.push_back(path + ": " + plain);
      event_.personal_fields.insert(path);
      return JsonString(plain);
    }
    if (message.GetDescriptor() == google::protobuf::Timestamp::descriptor()) {
      return JsonString(google::protobuf::util::TimeUtil::ToString(
          static_cast<const google::protobuf::Timestamp&>(message)));
    }
    const auto* reflection = message.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);
    std::string out = "{";
    for (const FieldDescriptor* field : fields) {
      if (out.size() > 1) out += ",";
      out += JsonString(field->name()) + ":";
      const std::string child = path + "." + field->name();
      if (field->is_repeated()) {
        out += "[";
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          if (i > 0) out += ",";
          LD_ASSIGN_OR_RETURN(std::string value, Field(message, field, i, child));
          out += value;
        }
        out += "]";
      } else {
        LD_ASSIGN_OR_RETURN(std::string value, Field(message, field, -1, child));
        out += value;
      }
    }
    return out + "}";
  }

 private:
  // The value of `field` (element `index` of a repeated one, or -1).
  Result<std::string> Field(const google::protobuf::Message& message, const FieldDescriptor* field,
                            int index, const std::string& path) {
    const auto* r = message.GetReflection();
    const bool rep = index >= 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Message(
            rep ? r->GetRepeatedMessage(message, field, index) : r->GetMessage(message, field),
            path);
      case FieldDescriptor::CPPTYPE_STRING: {
        if (IsSecret(path, envelope_)) return JsonString(kWithheld);
        const std::string value =
            rep ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
        return field->type() == FieldDescriptor::TYPE_BYTES ? JsonString(log::Hex(value))
                                                            : JsonString(value);
      }
      case FieldDescriptor::CPPTYPE_ENUM:
        return JsonString(rep ? r->GetRepeatedEnum(message, field, index)->name()
                              : r->GetEnum(message, field)->name());
      case FieldDescriptor::CPPTYPE_BOOL:
        return std::string(
            (rep ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field))
                ? "true"
                : "false");
      case FieldDescriptor::CPPTYPE_INT32:
        return std::to_string(rep ? r->GetRepeatedInt32(message, field, index)
                                  : r->GetInt32(message, field));
      case FieldDescriptor::CPPTYPE_UINT32:
        return std::to_string(rep ? r->GetRepeatedUInt32(message, field, index)
                                  : r->GetUInt32(message, field));
      case FieldDescriptor::CPPTYPE_INT64:
        return std::to_string(rep ? r->GetRepeatedInt64(message, field, index)
                                  : r->GetInt64(message, field));
      case FieldDescriptor::CPPTYPE_UINT64:
        return std::to_string(rep ? r->GetRepeatedUInt64(message, field, index)
                                  : r->GetUInt64(message, field));
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return std::to_string(rep ? r->GetRepeatedDouble(message, field, index)
                                  : r->GetDouble(message, field));
      case FieldDescriptor::CPPTYPE_FLOAT:
        return std::to_string(rep ? r->GetRepeatedFloat(message, field, index)
                                  : r->GetFloat(message, field));
    }
    return std::string("null");
  }

  const app::PersonalData& personal_;
  const v1::Envelope& envelope_;
  OpenedEvent& event_;
};

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

Result<OpenedEvent> OpenEvent(const log::LogRecord& record, const v1::Envelope& envelope,
                              const app::PersonalData& personal) {
  OpenedEvent event;
  event.position = record.position.value;
  event.stream = envelope.stream();
  event.time = google::protobuf::util::TimeUtil::ToString(envelope.occurred_at());
  event.actor = RoleName(envelope.actor().role());
  if (!envelope.actor().account_id().empty()) event.actor += " " + envelope.actor().account_id();
  const auto* field = v1::Envelope::descriptor()->FindFieldByNumber(envelope.payload_case());
  if (field == nullptr) return InvalidArgument("the event has no payload");
  const auto& payload = envelope.GetReflection()->GetMessage(envelope, field);
  event.type = payload.GetDescriptor()->name();
  Printer printer(personal, envelope, event);
  LD_ASSIGN_OR_RETURN(event.payload_json, printer.Message(payload, event.type));
  return event;
}

std::string EventJsonLine(const OpenedEvent& event, const v1::Envelope& envelope) {
  return "{\"position\":" + std::to_string(event.position) +
         ",\"type\":" + JsonString(envelope.event_type()) +
         ",\"stream\":" + JsonString(event.stream) +
         ",\"version\":" + std::to_string(envelope.stream_version()) +
         ",\"time\":" + JsonString(event.time) + ",\"actor\":" + JsonString(event.actor) +
         ",\"event_id\":" + JsonString(log::Hex(envelope.event_id())) +
         ",\"payload\":" + event.payload_json + "}";
}

}  // namespace ledgerdesk::audit
