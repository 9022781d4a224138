// `ledgerdesk serve`: opens the log, starts the writer and the HTTP server. Until the portal API
// lands (issue "The read side and the portal API") only GET /healthz answers.

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <iostream>

#include "core/log/writer.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void SendJson(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const std::string& body) {
  response.setStatus(status);
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

class HealthHandler : public HTTPRequestHandler {
 public:
  explicit HealthHandler(const log::Writer& writer) : writer_(writer) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
    SendJson(response, HTTPResponse::HTTP_OK,
             R"({"status":"ok","log_position":)" + std::to_string(writer_.end().value) + "}");
  }

 private:
  const log::Writer& writer_;
};

class NotFoundHandler : public HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    // Never leave a body unread on a keep-alive connection: Poco would read it as the next request.
    request.stream().ignore(std::numeric_limits<std::streamsize>::max());
    SendJson(response, HTTPResponse::HTTP_NOT_FOUND,
             "{\"error\":{\"code\":\"not_found\",\"message\":\"no such endpoint; only /healthz "
             "answers until the portal API lands\"}}");
  }
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(const log::Writer& writer) : writer_(writer) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
    if (request.getURI() == "/healthz" && request.getMethod() == "GET") {
      return new HealthHandler(writer_);  // Poco takes ownership
    }
    return new NotFoundHandler();
  }

 private:
  const log::Writer& writer_;
};

}  // namespace

int ServeCommand(const Args& args) {
  CommandLine cli("serve", "[--listen 127.0.0.1:8080] [LOG OPTIONS]",
                  "Runs the writer on the log and the HTTP server. For now only GET /healthz "
                  "answers; the portal API follows.");
  cli.LogOptions().Option("listen", "HOST:PORT", "where the HTTP server listens (127.0.0.1:8080)");
  if (auto exit = cli.Parse(args)) return *exit;
  auto log_options = cli.GetLogOptions();
  if (!log_options.ok()) return cli.UsageError(log_options.status().message());

  BlockTerminationSignals();
  auto log = log::OpenLog(*log_options);
  if (!log.ok()) return Fail("serve", log.status());
  auto writer = log::Writer::Start(**log);
  if (!writer.ok()) return Fail("serve", writer.status().WithContext("reading the log"));

  const std::string listen = cli.Get("listen", "127.0.0.1:8080");
  std::unique_ptr<Poco::Net::HTTPServer> server;
  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(listen), 256);
    auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
    params->setMaxThreads(64);
    server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(**writer), socket, params);
    server->start();
    std::cout << "ledgerdesk serve: writer on " << (*log)->Describe() << " at position "
              << (*writer)->end().value << "; listening on http://" << socket.address().toString()
              << " (only /healthz until the portal API lands)" << std::endl;
  } catch (const Poco::Exception& e) {
    return Fail("serve", Unavailable("cannot listen on " + listen + ": " + e.displayText()));
  }
  const std::string signal = WaitForTerminationSignal();
  std::cout << "ledgerdesk serve: " << signal << ", stopping" << std::endl;
  server->stopAll(true);
  return kExitOk;
}

}  // namespace ledgerdesk::tools
