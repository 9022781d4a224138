#include "tools/cli.h"

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>

#include <charconv>
#include <iostream>

namespace ledgerdesk::tools {

CommandLine::CommandLine(std::string command, std::string usage, std::string summary)
    : command_(std::move(command)),
      usage_(std::move(usage)),
      summary_(std::move(summary)),
      out_(&std::cout),
      err_(&std::cerr) {
  Flag("help", "show this help and exit");
}

CommandLine& CommandLine::Flag(const std::string& name, const std::string& help) {
  options_.addOption(Poco::Util::Option(name, "", help).required(false).repeatable(false));
  return *this;
}

CommandLine& CommandLine::Option(const std::string& name, const std::string& argument,
                                 const std::string& help, bool repeatable) {
  options_.addOption(Poco::Util::Option(name, "", help)
                         .required(false)
                         .repeatable(repeatable)
                         .argument(argument, true));
  return *this;
}

CommandLine& CommandLine::LogOptions() {
  Option("data-dir", "DIR",
         "projections, blobs, keys, mail and the embedded log (default ./ledgerdesk-data)");
  Option("log", "local|kafka", "where the events live: the embedded log (default) or Kafka");
  Option("brokers", "HOST:PORT[,...]", "Kafka bootstrap servers (with --log kafka)");
  Option("topic", "NAME", "Kafka topic of the events (default ledgerdesk.events)");
  Option("kafka-config", "FILE", "extra librdkafka properties, key=value lines (SASL, TLS...)");
  Option("key-topic", "NAME",
         "Kafka topic of the subject keys (default ledgerdesk.keys; its key-encryption key is "
         "KEYS_DIR/kek.key, the same file on every node)");
  return *this;
}

std::optional<int> CommandLine::Parse(const std::vector<std::string>& args) {
  Poco::Util::OptionProcessor processor(options_);
  processor.setUnixStyle(true);
  try {
    for (const std::string& arg : args) {
      std::string name;
      std::string value;
      if (processor.process(arg, name, value)) {
        if (!name.empty()) values_.emplace_back(name, value);
        continue;
      }
      return UsageError("unexpected argument '" + arg + "'");
    }
    processor.checkRequired();
  } catch (const Poco::Util::OptionException& e) {
    return UsageError(e.displayText());
  }
  if (Has("help")) {
    Poco::Util::HelpFormatter help(options_);
    help.setUnixStyle(true);
    help.setCommand("ledgerdesk " + command_);
    help.setUsage(usage_);
    help.setHeader(summary_);
    help.setWidth(100);
    help.format(*out_);
    return kExitOk;
  }
  return std::nullopt;
}

bool CommandLine::Has(const std::string& name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return true;
  }
  return false;
}

std::string CommandLine::Get(const std::string& name, const std::string& fallback) const {
  std::string found = fallback;
  for (const auto& [key, value] : values_) {
    if (key == name) found = value;
  }
  return found;
}

std::vector<std::string> CommandLine::GetAll(const std::string& name) const {
  std::vector<std::string> found;
  for (const auto& [key, value] : values_) {
    if (key == name) found.push_back(value);
  }
  return found;
}

Result<uint64_t> CommandLine::GetUint(const std::string& name, uint64_t fallback) const {
  if (!Has(name)) return fallback;
  const std::string text = Get(name);
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument("--" + name + " takes a whole number, not '" + text + "'");
  }
  return value;
}

Result<log::LogOptions> CommandLine::GetLogOptions() const {
  log::LogOptions options;
  options.data_dir = Get("data-dir", "ledgerdesk-data");
  const std::string backend = Get("log", "local");
  if (backend == "local") {
    options.backend = log::Backend::kEmbedded;
  } else if (backend == "kafka") {
    options.backend = log::Backend::kKafka;
    options.brokers = Get("brokers");
    if (options.brokers.empty()) return InvalidArgument("--log kafka needs --brokers HOST:PORT");
  } else {
    return InvalidArgument("--log takes 'local' or 'kafka', not '" + backend + "'");
  }
  options.topic = Get("topic", options.topic);
  options.kafka_config_file = Get("kafka-config");
  options.key_topic = Get("key-topic", options.key_topic);
  return options;
}

int CommandLine::UsageError(const std::string& message) const {
  *err_ << "ledgerdesk " << command_ << ": " << message << "\n"
        << "usage: ledgerdesk " << command_ << " " << usage_ << "\n"
        << "(ledgerdesk " << command_ << " --help lists every option)\n";
  return kExitUsage;
}

CommandLine& CommandLine::Output(std::ostream& out, std::ostream& err) {
  out_ = &out;
  err_ = &err;
  return *this;
}

int Fail(const std::string& command, const Status& status) {
  return Fail(std::cerr, command, status);
}

int Fail(std::ostream& err, const std::string& command, const Status& status) {
  err << "ledgerdesk " << command << ": " << status.message() << "\n";
  return kExitFailure;
}

}  // namespace ledgerdesk::tools
