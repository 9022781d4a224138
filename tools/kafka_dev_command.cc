// `ledgerdesk kafka-dev`: librdkafka's mock cluster on loopback, for trying --log kafka.

#include <iostream>

#include "core/log/kafka_mock_cluster.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {

int KafkaDevCommand(const Args& args) {
  CommandLine cli(
      "kafka-dev", "[--partitions N] [--topic NAME] [--key-topic NAME]",
      "Starts librdkafka's in-process Kafka-protocol cluster on loopback and prints its "
      "bootstrap address. It keeps everything in memory, at most 5 MiB per partition, "
      "and loses it all when it stops: for trying the Kafka path, never for data.");
  cli.Option("partitions", "N", "partitions of the events topic (default 1; ledgerdesk needs 1)")
      .Option("topic", "NAME", "the events topic to create (default ledgerdesk.events)")
      .Option("key-topic", "NAME", "the subject keys' topic to create (default ledgerdesk.keys)");
  if (auto exit = cli.Parse(args)) return *exit;
  auto partitions = cli.GetUint("partitions", 1);
  if (!partitions.ok()) return cli.UsageError(partitions.status().message());
  if (*partitions < 1 || *partitions > 64) return cli.UsageError("--partitions takes 1 to 64");

  BlockTerminationSignals();
  auto cluster = log::MockKafkaCluster::Start(1);
  if (!cluster.ok()) return Fail("kafka-dev", cluster.status());
  const std::string topic = cli.Get("topic", "ledgerdesk.events");
  if (Status created = (*cluster)->CreateTopic(topic, static_cast<int>(*partitions));
      !created.ok()) {
    return Fail("kafka-dev", created);
  }
  // The mock cluster does not take CreateTopics: the key store could not create its topic.
  const std::string key_topic = cli.Get("key-topic", "ledgerdesk.keys");
  if (Status created = (*cluster)->CreateTopic(key_topic, 1); !created.ok()) {
    return Fail("kafka-dev", created);
  }
  std::cerr << "kafka-dev: WARNING: an in-memory mock cluster: it keeps nothing after it stops.\n";
  std::cout << "kafka-dev: bootstrap " << (*cluster)->bootstrap_servers() << ", topic " << topic
            << " (" << *partitions << " partition" << (*partitions == 1 ? "" : "s")
            << "), key topic " << key_topic << "\n"
            << "try: ledgerdesk serve --log kafka --brokers " << (*cluster)->bootstrap_servers()
            << std::endl;
  WaitForTerminationSignal();
  return kExitOk;
}

}  // namespace ledgerdesk::tools
