#include "tools/legacy_generator.h"

#include <sqlite3.h>

#include <array>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ledgerdesk::tools {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE customers (id INTEGER PRIMARY KEY, nip TEXT NOT NULL, name TEXT NOT NULL, email TEXT,
  phone TEXT, partner_name TEXT);
CREATE TABLE contracts (id INTEGER PRIMARY KEY, number TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id), package TEXT NOT NULL,
  support_window TEXT NOT NULL, replacement TEXT, starts_on TEXT NOT NULL, ends_on TEXT NOT NULL,
  status TEXT NOT NULL);
CREATE TABLE contract_items (id INTEGER PRIMARY KEY,
  contract_id INTEGER NOT NULL REFERENCES contracts(id), serial TEXT NOT NULL, product TEXT,
  kind TEXT NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
  login TEXT NOT NULL, email TEXT NOT NULL, password_md5 TEXT, created_at TEXT NOT NULL);
CREATE TABLE tickets (id INTEGER PRIMARY KEY, contract_id INTEGER NOT NULL REFERENCES contracts(id),
  item_id INTEGER REFERENCES contract_items(id), title TEXT NOT NULL, status TEXT NOT NULL,
  priority TEXT, partner_access INTEGER, opened_by TEXT, opened_at TEXT NOT NULL, closed_at TEXT);
CREATE TABLE ticket_messages (id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id), author_name TEXT, author_email TEXT,
  from_staff INTEGER NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL);
CREATE TABLE ticket_cc (ticket_id INTEGER NOT NULL REFERENCES tickets(id), email TEXT NOT NULL);
CREATE TABLE ticket_attachments (id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES ticket_messages(id), filename TEXT NOT NULL,
  content_type TEXT, content BLOB NOT NULL);
)sql";

const std::array<const char*, 6> kSentences = {
    "Drukarka w księgowości nie drukuje od rana, próbowaliśmy ponownego uruchomienia. ",
    "Zażółć gęślą jaźń: urządzenie zgłasza błąd zasilacza po aktualizacji. ",
    "Prosimy o pilną wymianę dysku, macierz pracuje w trybie awaryjnym. ",
    "Łącze zapasowe przełącza się co kilka minut, w logach widać utratę pakietów. ",
    "Děkujeme za rychlou odpověď, problém se zatím neopakoval. ",
    "Sprawdziliśmy konfigurację; proszę o potwierdzenie numeru seryjnego. "};

// UTF-8 Polish text as windows-1250 bytes (the letters the sentences use; others stay).
std::string ToWindows1250(const std::string& utf8) {
  static const std::vector<std::pair<std::string, char>> kMap = {
      {"ą", '\xB9'}, {"ć", '\xE6'}, {"ę", '\xEA'}, {"ł", '\xB3'}, {"ń", '\xF1'}, {"ó", '\xF3'},
      {"ś", '\x9C'}, {"ź", '\x9F'}, {"ż", '\xBF'}, {"Ą", '\xA5'}, {"Ć", '\xC6'}, {"Ę", '\xCA'},
      {"Ł", '\xA3'}, {"Ń", '\xD1'}, {"Ó", '\xD3'}, {"Ś", '\x8C'}, {"Ź", '\x8F'}, {"Ż", '\xAF'},
      {"ě", '\xEC'}, {"č", '\xE8'}, {"ř", '\xF8'}, {"š", '\x9A'}, {"ů", '\xF9'}, {"ž", '\x9E'},
      {"Ř", '\xD8'}, {"Č", '\xC8'}, {"Š", '\x8A'}, {"Ž", '\x8E'}, {"ý", '\xFD'}, {"é", '\xE9'},
      {"á", '\xE1'}, {"í", '\xED'}, {"ú", '\xFA'}, {"ď", '\xEF'}, {"ť", '\x9D'}, {"ň", '\xF2'}};
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    bool mapped = false;
    if (static_cast<unsigned char>(utf8[i]) >= 0x80) {
      for (const auto& [letter, byte] : kMap) {
        if (utf8.compare(i, letter.size(), letter) == 0) {
          out += byte;
          i += letter.size();
          mapped = true;
          break;
        }
      }
    }
    if (!mapped) out += utf8[i++];
  }
  return out;
}

std::string ValidNip(std::mt19937_64& rng) {
  static constexpr int kWeights[9] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
  for (;;) {
    std::string digits;
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
      const int d = static_cast<int>(rng() % 10);
      digits += static_cast<char>('0' + d);
      sum += d * kWeights[i];
    }
    if (sum % 11 == 10 || digits[0] == '0') continue;
    return digits + static_cast<char>('0' + sum % 11);
  }
}

class Db {
 public:
  ~Db() {
    if (db_ != nullptr) sqlite3_close(db_);
  }
  Status Open(const std::filesystem::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return Error("open");
    return OkStatus();
  }
  Status Exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
    return OkStatus();
  }
  sqlite3* get() { return db_; }
  Status Error(const std::string& what) {
    return Unavailable("generating the legacy database: " + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

// One prepared INSERT, bound by position: int64, text (or NULL), blob.
class Insert {
 public:
  Insert(Db& db, const char* sql) : db_(db) {
    sqlite3_prepare_v2(db.get(), sql, -1, &stmt_, nullptr);
  }
  ~Insert() { sqlite3_finalize(stmt_); }
  Insert& Int(int64_t v) {
    sqlite3_bind_int64(stmt_, ++col_, v);
    return *this;
  }
  Insert& Text(const std::string& v) {
    sqlite3_bind_text(stmt_, ++col_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Insert& Null() {
    sqlite3_bind_null(stmt_, ++col_);
    return *this;
  }
  Insert& Blob(const std::string& v) {
    sqlite3_bind_blob(stmt_, ++col_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Status Run() {
    col_ = 0;
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) return db_.Error("insert");
    return OkStatus();
  }

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  int col_ = 0;
};

std::string Date(int year, int month, int day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return text;
}

}  // namespace

Result<LegacyGeneratorCounts> GenerateLegacyDatabase(const std::filesystem::path& path,
                                                     const LegacyGeneratorOptions& options) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  Db db;
  LD_RETURN_IF_ERROR(db.Open(path));
  LD_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"));
  LD_RETURN_IF_ERROR(db.Exec(kSchema));
  LD_RETURN_IF_ERROR(db.Exec("BEGIN"));
  std::mt19937_64 rng(options.seed);
  auto chance = [&](double p) { return static_cast<double>(rng() % 1'000'000) < p * 1e6; };
  LegacyGeneratorCounts n;

  const int64_t customers = std::max<int64_t>(1, options.tickets / 20);
  Insert customer(db, "INSERT INTO customers VALUES (?,?,?,?,?,?)");
  Insert user(db, "INSERT INTO users VALUES (?,?,?,?,?,?)");
  for (int64_t id = 1; id <= customers; ++id) {
    std::string nip = ValidNip(rng);
    if (chance(0.02)) nip[9] = static_cast<char>('0' + (nip[9] - '0' + 1) % 10);  // checksum
    if (chance(0.2))
      nip =
          nip.substr(0, 3) + "-" + nip.substr(3, 3) + "-" + nip.substr(6, 2) + "-" + nip.substr(8);
    if (chance(0.1)) nip = "PL " + nip;
    const std::string name = "Firma Usługowa " + std::to_string(id) + " Sp. z o.o.";
    customer.Int(id).Text(nip).Text(name).Text("biuro" + std::to_string(id) + "@firma.pl");
    customer.Text("+48 22 555 " + std::to_string(1000 + id % 9000));
    if (chance(0.3)) {
      customer.Text("Reseller " + std::to_string(id % 7));
    } else {
      customer.Null();
    }
    LD_RETURN_IF_ERROR(customer.Run());
    LD_RETURN_IF_ERROR(user.Int(id)
                           .Int(id)
                           .Text("user" + std::to_string(id))
                           .Text("user" + std::to_string(id) + "@firma.pl")
                           .Text("5f4dcc3b5aa765d61d8327deb882cf99")
                           .Text("2015-01-01 10:00:00")
                           .Run());
    ++n.customers;
  }

  // Two contracts per customer, three items each.
  Insert contract(db, "INSERT INTO contracts VALUES (?,?,?,?,?,?,?,?,?)");
  Insert item(db, "INSERT INTO contract_items VALUES (?,?,?,?,?)");
  const int64_t contracts = customers * 2;
  for (int64_t id = 1; id <= contracts; ++id) {
    char number[32];
    std::snprintf(number, sizeof number, "K%06lld", static_cast<long long>(id % 1'000'000));
    std::string typed = number;
    if (chance(0.1)) typed = "  k" + typed.substr(1) + " ";
    std::string status = "active", ends = Date(2027, 12, 31);
    const auto roll = rng() % 100;
    if (roll < 10) {
      status = "expired";
      ends = Date(2024, 6, 30);
    } else if (roll < 15) {
      status = "cancelled";
    } else if (roll < 20) {
      ends = Date(2025, 12, 31);  // active but past its end
    }
    const bool sos = rng() % 2 == 0;
    contract.Int(id).Text(typed).Int((id + 1) / 2).Text(sos ? "SOS" : "AHB");
    contract.Text(rng() % 2 ? "8x5" : "24x7");
    if (sos) {
      contract.Text(rng() % 2 ? "8h" : "NBD");
    } else {
      contract.Null();
    }
    LD_RETURN_IF_ERROR(contract.Text(Date(2023, 1, 1)).Text(ends).Text(status).Run());
    ++n.contracts;
    for (int k = 0; k < 3; ++k) {
      const int64_t item_id = (id - 1) * 3 + k + 1;
      char serial[32];
      std::snprintf(serial, sizeof serial, "FG%010lld", static_cast<long long>(item_id));
      std::string s = serial;
      if (chance(0.3)) s = (chance(0.5) ? "(H)-" : "(H)") + s;
      LD_RETURN_IF_ERROR(
          item.Int(item_id).Int(id).Text(s).Text("FortiGate 60F").Text("device").Run());
      ++n.items;
    }
  }

  Insert ticket(db, "INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?)");
  Insert message(db, "INSERT INTO ticket_messages VALUES (?,?,?,?,?,?,?)");
  Insert cc(db, "INSERT INTO ticket_cc VALUES (?,?)");
  Insert attachment(db, "INSERT INTO ticket_attachments VALUES (?,?,?,?,?)");
  int64_t message_id = 0, attachment_id = 0;
  static const std::array<const char*, 4> kOpen = {"new", "open", "waiting", "open"};
  for (int64_t id = 1; id <= options.tickets; ++id) {
    const int64_t contract_id = 1 + static_cast<int64_t>(rng() % contracts);
    const std::string status = chance(options.closed_share) ? "closed" : kOpen[rng() % 4];
    const int month = 1 + static_cast<int>(rng() % 12), day = 1 + static_cast<int>(rng() % 28);
    const int year = 2016 + static_cast<int>(rng() % 10);
    const std::string opened = Date(year, month, day) + " 09:15:00";
    ticket.Int(id).Int(contract_id);
    if (chance(0.05)) {
      ticket.Null();
    } else {
      ticket.Int((contract_id - 1) * 3 + 1 + static_cast<int64_t>(rng() % 3));
    }
    ticket.Text("Zgłoszenie " + std::to_string(id) + ": awaria zasilacza, proszę o pomoc")
        .Text(status)
        .Text(chance(0.1) ? "urgent" : "normal")
        .Int(chance(0.2) ? 1 : 0)
        .Text("user@firma.pl")
        .Text(opened);
    if (status == "closed") {
      ticket.Text(Date(year, month, day) + " 17:00:00");
    } else {
      ticket.Null();
    }
    LD_RETURN_IF_ERROR(ticket.Run());
    ++n.tickets;

    const int messages = 1 + static_cast<int>(rng() % (2 * options.messages_per_ticket - 1));
    const bool with_attachments = chance(options.attachment_share);
    for (int m = 0; m < messages; ++m) {
      ++message_id;
      std::string body;
      const int sentences = 2 + static_cast<int>(rng() % 4);
      for (int k = 0; k < sentences; ++k) body += kSentences[rng() % kSentences.size()];
      if (year < 2019 && chance(options.windows1250_share / 0.3)) body = ToWindows1250(body);
      const bool staff = m % 2 == 1;
      char sent[32];
      std::snprintf(sent, sizeof sent, "%s %02d:%02d:00", Date(year, month, day).c_str(),
                    10 + m / 60 % 12, m % 60);
      LD_RETURN_IF_ERROR(message.Int(message_id)
                             .Int(id)
                             .Text(staff ? "Inżynier Serwisu" : "Paweł Łukasiewicz")
                             .Text(staff ? "serwis@dystrybutor.pl" : "pawel@firma.pl")
                             .Int(staff ? 1 : 0)
                             .Text(body)
                             .Text(sent)
                             .Run());
      ++n.messages;
      if (with_attachments && m == 0) {
        const int count = 1 + static_cast<int>(rng() % 2);
        for (int a = 0; a < count; ++a) {
          std::string content(1024 + rng() % std::max(1, options.attachment_bytes - 1024), '\0');
          for (char& c : content) c = static_cast<char>(rng());
          const std::string name =
              a == 1 && chance(0.5) ? "../../etc/passwd" : "log-" + std::to_string(id) + ".txt";
          LD_RETURN_IF_ERROR(attachment.Int(++attachment_id)
                                 .Int(message_id)
                                 .Text(name)
                                 .Text("text/plain")
                                 .Blob(content)
                                 .Run());
          ++n.attachments;
        }
      }
    }
    if (chance(0.2)) {
      LD_RETURN_IF_ERROR(cc.Int(id).Text("it" + std::to_string(id % 100) + "@firma.pl").Run());
      ++n.cc;
      if (chance(0.1)) {
        LD_RETURN_IF_ERROR(cc.Int(id).Text("not an address").Run());
        ++n.cc;
      }
    }
  }
  LD_RETURN_IF_ERROR(db.Exec("COMMIT"));
  return n;
}

}  // namespace ledgerdesk::tools
