// Times transcript rendering: a typical 10-message dialog, the whole font embedded by libharu
// versus a per-document subset, on one thread and on several.
//
//   build-pdf/tests/pdfexport_bench [documents=200] [threads=2] [all|subset|full]

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "pdfexport/transcript.h"

namespace {

using namespace ledgerdesk::pdfexport;
using Clock = std::chrono::steady_clock;

Transcript TypicalTranscript() {
  Transcript t{.title = "Drukarka w biurze nie drukuje dwustronnie",
               .legacy_ticket_id = 123456,
               .contract_number = "A123456",
               .serial = "FG1234567890"};
  const auto start = std::chrono::sys_days(std::chrono::year(2025) / 3 / 1);
  for (int i = 0; i < 10; ++i) {
    t.messages.push_back(
        {.author = i % 2 ? "Ewa Nowak" : "Łukasz Żółtowski",
         .role = i % 2 ? Role::kEngineer : Role::kCustomer,
         .sent_at = start + std::chrono::hours(7 * i),
         .body = "Dzień dobry, drukarka w pokoju 12 zgłasza błąd 0x4F przy wydruku dwustronnym. "
                 "Próbowaliśmy wyłączyć i włączyć urządzenie, zaktualizować sterownik i "
                 "wyczyścić kolejkę, ale problem wraca po kilku stronach.\nPozdrawiam, zespół "
                 "IT. Děkuji, řešíme to.",
         .attachment_names = i == 3 ? std::vector<std::string>{"log.txt", "zdjęcie.jpg"}
                                    : std::vector<std::string>{}});
  }
  return t;
}

void Measure(const char* label, const RenderOptions& options, int documents, int threads) {
  auto renderer = TranscriptRenderer::Create(options);
  if (!renderer.ok()) {
    std::fprintf(stderr, "%s\n", renderer.status().ToString().c_str());
    std::exit(1);
  }
  const Transcript transcript = TypicalTranscript();
  size_t bytes = 0;
  (void)(*renderer)->Render(transcript);  // warm-up
  timespec cpu_begin, cpu_end;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_begin);
  const auto begin = Clock::now();
  std::vector<std::thread> workers;
  std::vector<size_t> sizes(threads);
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      for (int i = w; i < documents; i += threads) {
        auto pdf = (*renderer)->Render(transcript);
        if (!pdf.ok()) std::abort();
        sizes[w] = pdf->size();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
  const double cpu_seconds =
      (cpu_end.tv_sec - cpu_begin.tv_sec) + (cpu_end.tv_nsec - cpu_begin.tv_nsec) / 1e9;
  bytes = sizes[0];
  std::printf(
      "%-34s threads=%d docs=%d  %.2f ms CPU/doc  %.2f ms wall/doc  %.0f docs/s  %zu bytes/doc\n",
      label, threads, documents, 1000 * cpu_seconds / documents, 1000 * seconds / documents,
      documents / seconds, bytes);
}

}  // namespace

int main(int argc, char** argv) {
  const int documents = argc > 1 ? std::atoi(argv[1]) : 200;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::string mode = argc > 3 ? argv[3] : "all";
  RenderOptions full{.subset_font = false}, subset{.subset_font = true};
  RenderOptions full_raw{.subset_font = false, .compress = false};
  RenderOptions subset_raw{.subset_font = true, .compress = false};
  for (int t : {1, threads}) {
    if (mode != "subset") {
      Measure("full font, compressed", full, std::max(documents / 10, 10), t);
      Measure("full font, uncompressed", full_raw, std::max(documents / 10, 10), t);
    }
    if (mode != "full") {
      Measure("per-document subset, compressed", subset, documents, t);
      Measure("per-document subset, uncompressed", subset_raw, documents, t);
    }
  }
}
