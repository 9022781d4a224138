#pragma once

// Subject keys on a Kafka topic of their own (default ledgerdesk.keys), for nodes that share the
// log on Kafka: every node sees every key without a shared file system, and erasure is a
// tombstone that compaction turns into the record's physical removal.
//
// The topic: one partition, cleanup.policy=compact. A record's Kafka key is "<subject id> <key
// id>" (subject ids hold no spaces); its value is "ldk1", the key id, then the 32-byte key sealed
// with AES-256-GCM under the key-encryption key (KEK), the associated data binding subject id and
// key id, so the topic alone never shows a usable key and a record cannot be moved to another
// subject. A tombstone (null value) under the same Kafka key destroys that key.
//
// The key id is part of the Kafka key because compaction keeps only the last record per Kafka
// key: were two nodes to create a key for one subject at once, a subject-only key would let the
// later (losing) record replace the winner at compaction, and values sealed with the winner would
// become unreadable. The rule: the subject's first live record on the topic wins. GetOrCreate
// produces (idempotent producer, acks=all, flushed), reads the topic back up to its own record and
// returns the winner, which every node agrees on; a loser tombstones its own record at once.
//
// The KEK is a 32-byte file (`kek_file`, mode 0600). The first node creates it, and only while
// the topic holds no key yet; every other node must be given a copy (a node without one refuses
// to start rather than make a KEK that opens nothing).

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/crypto/subject_key_store.h"

namespace ledgerdesk::log {

// Topic settings the key topic is created with: compacted; a destroyed key's old record becomes
// eligible for compaction within max.compaction.lag.ms (segments roll at segment.ms so that the
// active segment, never compacted, does not hold it back); tombstones stay delete.retention.ms
// so that nodes that were away still see them.
std::map<std::string, std::string> DefaultKeyTopicConfig();

struct KafkaKeyStoreOptions {
  std::string brokers;
  std::string topic = "ledgerdesk.keys";
  std::map<std::string, std::string> properties;  // extra librdkafka properties (SASL, TLS...)
  std::chrono::milliseconds timeout{30000};       // one create, destroy or catch-up at most
  bool create_topic = true;
  std::map<std::string, std::string> topic_config = DefaultKeyTopicConfig();
  std::filesystem::path kek_file;  // e.g. DATA_DIR/keys/kek.key
};

// Opens the store: makes sure the topic exists with one partition (created compacted), loads or
// creates the KEK, reads the topic to its end and keeps following it in a thread of its own (keys
// created and destroyed by other nodes become visible; Get of an unknown key id reads up to the
// topic's current end before answering kNotFound). Thread-safe.
// Errors: kInvalidArgument for bad options or properties; kUnavailable when Kafka cannot be
// reached in time; kFailedPrecondition when the topic has more than one partition, or holds keys
// and this node has no KEK file; kDataLoss when the KEK does not open the topic's keys.
// Later calls answer kUnavailable when Kafka does not confirm a record (or let the topic be read
// to its end) within `timeout`: nothing was handed out then, and no key is lost.
Result<std::unique_ptr<crypto::SubjectKeyStore>> OpenKafkaSubjectKeyStore(
    const KafkaKeyStoreOptions& options);

}  // namespace ledgerdesk::log
