// Process-level behaviour: --state across restarts, TLS, the command line, keep-alive.
#include "conformance_fixture.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kizen_emulator::conformance {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

fs::path temp_dir() {
  auto dir = fs::temp_directory_path() / ("kizen-emulator-test-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A self-signed certificate for "localhost" and 127.0.0.1, written as PEM files.
void make_certificate(const fs::path& cert_path, const fs::path& key_path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600 * 24);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  X509_EXTENSION* bc = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(cert, bc, -1);
  X509_EXTENSION_free(bc);
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

// One HTTPS request, verifying the server against `ca` for `host_name`; throws on any failure.
int https_status(const std::string& base_url, const fs::path& ca, const std::string& host_name,
                 const ks::test::header_list& headers) {
  const auto rest = base_url.substr(std::string("https://").size());
  const auto colon = rest.rfind(':');
  net::io_context io;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(ca.string());
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host_name.c_str());
  stream.set_verify_callback(net::ssl::host_name_verification(host_name));
  net::ip::tcp::resolver resolver(io);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
  beast::get_lowest_layer(stream).connect(resolver.resolve(rest.substr(0, colon), rest.substr(colon + 1)));
  stream.handshake(net::ssl::stream_base::client);
  http::request<http::string_body> req{http::verb::post, "/api/records/companies/search", 11};
  req.set(http::field::host, host_name);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = "{}";
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.result_int();
}

int run(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class emulator_process_level : public emulator_test {};

TEST_F(emulator_process_level, state_file_survives_a_restart) {
  const auto dir = temp_dir();
  const std::string state = (dir / "state.json").string();
  restart({"--state", state});
  const auto company = add("companies", fields_of({{"name", "Keep Co"}, {"employees", 3}}));
  const auto contact =
      add("client_client",
          json::array{json::object{{"name", "email"}, {"value", "k@example.com"}},
                      json::object{{"name", "tags"}, {"add_values", json::array{json::object{{"name", "kept"}}}}},
                      json::object{{"name", "company"}, {"value", json::object{{"id", company.at("id")}}}}});
  const auto gone = add("companies", fields_of({{"name", "Gone Co"}}));
  api("DELETE", "/api/records/companies/" + std::string(gone.at("id").as_string()));
  const int status = process().stop();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(fs::exists(state));

  restart({"--state", state});
  const auto again = get("client_client", contact.at("id").as_string());
  EXPECT_EQ(again.at("created"), contact.at("created"));
  EXPECT_EQ(again.at("updated"), contact.at("updated"));
  EXPECT_EQ(value_of(again, "tags"), value_of(contact, "tags"));  // same tag id and name
  EXPECT_EQ(value_of(again, "company").at("id"), company.at("id"));
  EXPECT_EQ(api("GET", "/api/records/companies/" + std::string(gone.at("id").as_string())).status, 404);
  EXPECT_EQ(api("GET", "/api/records/companies/lookup?identifier=keep%20co").status, 200);
  // The archived name still conflicts after the restart.
  EXPECT_EQ(
      api("POST", "/api/records/companies/add", json::object{{"fields", fields_of({{"name", "Gone Co"}})}}).status,
      400);
  fs::remove_all(dir);
}

TEST_F(emulator_process_level, bad_state_file_is_a_usage_error) {
  const auto dir = temp_dir();
  std::ofstream(dir / "state.json") << R"({"objects": {"no_such_object": []}})";
  const std::string cmd = ks::test::emulator_path() +
                          " --listen 127.0.0.1:0 --api-key k --business-id b --user-id u --state " +
                          (dir / "state.json").string() + " >/dev/null 2>&1";
  EXPECT_EQ(run(cmd), 2);
  fs::remove_all(dir);
}

TEST_F(emulator_process_level, tls_serves_https_that_verifies_by_certificate_and_host_name) {
  const auto dir = temp_dir();
  make_certificate(dir / "cert.pem", dir / "key.pem");
  restart({"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()});
  ASSERT_TRUE(base_url().starts_with("https://127.0.0.1:")) << base_url();
  EXPECT_EQ(https_status(base_url(), dir / "cert.pem", "localhost", auth_headers()), 200);
  // The wrong host name fails verification, so clients can test that they check it.
  EXPECT_ANY_THROW(https_status(base_url(), dir / "cert.pem", "kizen.example.com", auth_headers()));
  // Plain HTTP to the TLS port gets no HTTP answer.
  const std::string plain = "http://" + base_url().substr(std::string("https://").size());
  EXPECT_ANY_THROW(ks::test::http_call(plain, "GET", "/__emulator/health", "", {}, std::chrono::seconds(5)));
  fs::remove_all(dir);
}

TEST_F(emulator_process_level, help_documents_every_flag_and_bad_flags_exit_2) {
  const auto dir = temp_dir();
  const std::string bin = ks::test::emulator_path();
  EXPECT_EQ(run(bin + " --help > " + (dir / "help.txt").string()), 0);
  std::ifstream in(dir / "help.txt");
  const std::string help((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* flag : {"--listen", "--schema", "--api-key", "--business-id", "--user-id", "--state", "--seed",
                           "--fail-rate", "--rate-limit", "--latency-ms", "--reset-rate", "--drop-response-rate",
                           "--tls-cert", "--tls-key", "--log-level", "--max-logged-requests", "--help"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  const std::string creds = " --api-key k --business-id b --user-id u";
  EXPECT_EQ(run(bin + " --no-such-flag" + creds + " 2>/dev/null"), 2);
  EXPECT_EQ(run(bin + " --fail-rate 1.5" + creds + " 2>/dev/null"), 2);
  EXPECT_EQ(run(bin + " --listen nowhere" + creds + " 2>/dev/null"), 2);
  EXPECT_EQ(run(bin + " --api-key k 2>/dev/null"), 2);
  std::ofstream(dir / "bad.yaml") << "objects:\n  - name: x\n    fields:\n      - {name: a, type: nonsense}\n";
  EXPECT_EQ(run(bin + creds + " --schema " + (dir / "bad.yaml").string() + " 2>/dev/null"), 2);
  fs::remove_all(dir);
}

TEST_F(emulator_process_level, custom_schema_file_defines_the_objects) {
  const auto dir = temp_dir();
  std::ofstream(dir / "schema.yaml") << "objects:\n"
                                        "  - name: widgets\n"
                                        "    fields:\n"
                                        "      - {name: name, type: text, default: true}\n"
                                        "      - {name: size, type: integer}\n";
  restart({"--schema", (dir / "schema.yaml").string()});
  const auto w = add("widgets", fields_of({{"name", "W1"}, {"size", 3}}));
  EXPECT_EQ(value_of(w, "size"), 3);
  EXPECT_EQ(api("POST", "/api/records/companies/search", json::object{}).status, 404);
  fs::remove_all(dir);
}

TEST_F(emulator_process_level, keep_alive_serves_many_requests_on_one_connection) {
  const auto rest = base_url().substr(std::string("http://").size());
  const auto colon = rest.rfind(':');
  net::io_context io;
  beast::tcp_stream stream(io);
  net::ip::tcp::resolver resolver(io);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(resolver.resolve(rest.substr(0, colon), rest.substr(colon + 1)));
  beast::flat_buffer buffer;
  for (int i = 0; i < 5; ++i) {
    http::request<http::string_body> req{http::verb::post, "/api/records/companies/add", 11};
    req.set(http::field::host, rest);
    for (const auto& [k, v] : auth_headers()) req.set(k, v);
    req.body() = R"({"fields":[{"name":"name","value":"K)" + std::to_string(i) + R"("}]})";
    req.prepare_payload();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(search("companies", json::object{}).at("count"), 5);
}

}  // namespace
}  // namespace kizen_emulator::conformance
