// kintone-emulator: a local Kintone REST record API with fault injection (docs/kintone-emulator.md).

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <iostream>

#include "common/log_line.hpp"
#include "src/application.hpp"
#include "src/options.hpp"
#include "src/schema.hpp"
#include "src/server.hpp"
#include "src/state_file.hpp"

namespace net = boost::asio;
using namespace kintone_emulator;

namespace {

int usage_error(const std::string& message) {
  std::cerr << "kintone-emulator: " << message << "\nTry 'kintone-emulator --help'.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_options(args, KINTONE_EMULATOR_DEFAULT_SCHEMA);
  if (!parsed) return usage_error(parsed.error());
  const emulator_options& opts = parsed.value();
  if (opts.help) {
    std::cout << usage_text(KINTONE_EMULATOR_DEFAULT_SCHEMA);
    return 0;
  }

  auto log = spdlog::stderr_logger_st("kintone-emulator");
  log->set_pattern(ks::json_log_pattern, spdlog::pattern_time_type::utc);
  log->set_level(spdlog::level::from_str(opts.log_level));

  auto definitions = load_schema_file(opts.schema_path);
  if (!definitions) return usage_error("bad schema: " + definitions.error());
  if (auto applied = apply_credentials(definitions.value(), opts); !applied) return usage_error(applied.error());

  app_config config;
  config.seed = opts.seed;
  config.concurrency_limit = opts.concurrency_limit;
  config.daily_limit = opts.daily_limit;
  config.request_log_limit = opts.request_log_limit;
  application app(definitions.value(), config);

  if (!opts.state_path.empty()) {
    auto loaded = load_state_file(app.records(), opts.state_path);
    if (!loaded) return usage_error("bad state file: " + loaded.error());
    log->info(ks::log_line(loaded.value() ? "state loaded" : "no state file yet", {{"path", opts.state_path}}));
  }

  std::shared_ptr<net::ssl::context> tls;
  if (!opts.tls_cert.empty()) {
    tls = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    tls->use_certificate_chain_file(opts.tls_cert, ec);
    if (ec) return usage_error("--tls-cert " + opts.tls_cert + ": " + ec.message());
    tls->use_private_key_file(opts.tls_key, net::ssl::context::pem, ec);
    if (ec) return usage_error("--tls-key " + opts.tls_key + ": " + ec.message());
  }

  net::io_context io(1);
  std::unique_ptr<server> srv;
  try {
    srv = std::make_unique<server>(io, app, opts.host, opts.port, tls, log);
  } catch (const std::exception& e) {
    std::cerr << "kintone-emulator: cannot listen on " << opts.host << ":" << opts.port << ": " << e.what() << "\n";
    return 1;
  }
  const std::string scheme = tls ? "https" : "http";
  const std::string host = opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
  std::printf("kintone-emulator listening on %s://%s:%u\n", scheme.c_str(), host.c_str(),
              static_cast<unsigned>(srv->port()));
  std::fflush(stdout);
  log->info(ks::log_line("listening", {{"scheme", scheme},
                                       {"host", opts.host},
                                       {"port", srv->port()},
                                       {"schema", opts.schema_path},
                                       {"seed", opts.seed}}));

  int exit_code = 0;
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log->info(ks::log_line("stopping", {{"signal", signo}}));
    if (!opts.state_path.empty()) {
      auto saved = save_state_file(app.records(), opts.state_path);
      if (!saved) {
        log->error(ks::log_line("cannot save state", {{"error", saved.error()}}));
        exit_code = 1;
      } else {
        log->info(ks::log_line("state saved", {{"path", opts.state_path}}));
      }
    }
    srv->stop();
    io.stop();
  });
  srv->start();
  io.run();
  return exit_code;
}
