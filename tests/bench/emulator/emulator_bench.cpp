// Starts kizen-emulator, fills it with records, then drives PATCH and search over several
// keep-alive connections for a few seconds each and prints requests/second and p50/p99 latency.
//
//   kizen_emulator_bench [--seconds S] [--connections C] [--records N] [--page-size P]

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/emulator_process.hpp"
#include "tests/support/http_call.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

struct settings {
  double seconds = 5;
  int connections = 4;
  int records = 1000;
  int page_size = 50;
};

// One keep-alive connection issuing requests back to back.
class connection {
 public:
  connection(const std::string& base_url, ks::test::header_list headers) : stream_(io_), headers_(std::move(headers)) {
    const auto rest = base_url.substr(std::string("http://").size());
    const auto colon = rest.rfind(':');
    host_ = rest;
    net::ip::tcp::resolver resolver(io_);
    stream_.connect(resolver.resolve(rest.substr(0, colon), rest.substr(colon + 1)));
    stream_.socket().set_option(net::ip::tcp::no_delay(true));
  }
  int call(http::verb method, const std::string& target, const std::string& body) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : headers_) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res.result_int();
  }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  ks::test::header_list headers_;
  std::string host_;
};

struct run_result {
  std::size_t requests = 0;
  std::size_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

// request(connection index, iteration) returns the status of one request.
run_result drive(const settings& s, const std::string& base_url, const ks::test::header_list& headers,
                 const std::function<int(connection&, int, std::size_t)>& request) {
  std::vector<run_result> per(s.connections);
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  const auto duration = std::chrono::duration<double>(s.seconds);
  clock_type::time_point start;
  for (int c = 0; c < s.connections; ++c) {
    threads.emplace_back([&, c] {
      connection conn(base_url, headers);
      while (!go) std::this_thread::yield();
      auto& r = per[c];
      for (std::size_t i = 0; clock_type::now() - start < duration; ++i) {
        const auto t0 = clock_type::now();
        const int status = request(conn, c, i);
        r.latencies_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
        ++r.requests;
        if (status != 200) ++r.errors;
      }
    });
  }
  start = clock_type::now();
  go = true;
  for (auto& t : threads) t.join();
  run_result total;
  total.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  for (auto& r : per) {
    total.requests += r.requests;
    total.errors += r.errors;
    total.latencies_ms.insert(total.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  std::sort(total.latencies_ms.begin(), total.latencies_ms.end());
  return total;
}

void report(const char* name, const run_result& r, int connections) {
  auto pct = [&](double p) {
    if (r.latencies_ms.empty()) return 0.0;
    return r.latencies_ms[std::min(r.latencies_ms.size() - 1, static_cast<std::size_t>(p * r.latencies_ms.size()))];
  };
  std::printf(
      "%-8s %7zu requests in %5.2f s over %d connections: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %zu\n", name,
      r.requests, r.seconds, connections, r.requests / r.seconds, pct(0.50), pct(0.99), r.errors);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const double v = std::atof(argv[i + 1]);
    if (flag == "--seconds")
      s.seconds = v;
    else if (flag == "--connections")
      s.connections = static_cast<int>(v);
    else if (flag == "--records")
      s.records = static_cast<int>(v);
    else if (flag == "--page-size")
      s.page_size = static_cast<int>(v);
    else {
      std::fprintf(stderr, "usage: %s [--seconds S] [--connections C] [--records N] [--page-size P]\n", argv[0]);
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "usage: %s [--seconds S] [--connections C] [--records N] [--page-size P]\n", argv[0]);
    return 2;
  }
  ks::test::emulator_process emulator;
  const auto& o = emulator.options();
  const ks::test::header_list headers = {
      {"X-API-KEY", o.api_key}, {"X-BUSINESS-ID", o.business_id}, {"X-USER-ID", o.user_id}};

  // Records to work on: companies with a few values each.
  std::vector<std::string> ids;
  {
    connection conn(emulator.base_url(), headers);
    for (int i = 0; i < s.records; ++i) {
      json::object body{
          {"fields", json::array{json::object{{"name", "name"}, {"value", "Company " + std::to_string(i)}},
                                 json::object{{"name", "employees"}, {"value", i}},
                                 json::object{{"name", "domain"}, {"value", "c" + std::to_string(i) + ".test"}},
                                 json::object{{"name", "industry"},
                                              {"value", json::object{{"name", i % 2 ? "Software" : "Retail"}}}}}}};
      const auto r = ks::test::http_call(emulator.base_url(), "POST", "/api/records/companies/add",
                                         json::serialize(body), headers);
      if (r.status != 200) {
        std::fprintf(stderr, "seeding failed: %d %s\n", r.status, r.body.c_str());
        return 1;
      }
      ids.emplace_back(r.json().at("id").as_string());
    }
  }
  std::printf("kizen-emulator benchmark: %d companies, %d keep-alive connections, %.1f s per operation\n", s.records,
              s.connections, s.seconds);

  const auto patch = drive(s, emulator.base_url(), headers, [&](connection& c, int conn, std::size_t i) {
    const auto& id = ids[(conn * 7919 + i) % ids.size()];
    const std::string body = R"({"fields":[{"name":"employees","value":)" + std::to_string(i) +
                             R"(},{"name":"domain","value":"d)" + std::to_string(i) + R"(.test"}]})";
    return c.call(http::verb::patch, "/api/records/companies/" + id, body);
  });
  report("PATCH", patch, s.connections);

  const std::string search_body =
      R"({"query":[{"and":true,"filters":[{"type":"fields","subtype":"non_custom","field":"updated","condition":">=","value":"2000-01-01T00:00:00.000Z"}]}],"field_names":["name","employees","domain","industry"]})";
  const auto search = drive(s, emulator.base_url(), headers, [&](connection& c, int, std::size_t i) {
    const std::size_t pages = (ids.size() + s.page_size - 1) / s.page_size;
    return c.call(http::verb::post,
                  "/api/records/companies/search?ordering=updated&page_size=" + std::to_string(s.page_size) +
                      "&page=" + std::to_string(1 + i % pages),
                  search_body);
  });
  report("search", search, s.connections);
  std::printf("(search: page_size %d of %d records, filtered on updated, ordered by updated)\n", s.page_size,
              s.records);
  return patch.errors + search.errors == 0 ? 0 : 1;
}
