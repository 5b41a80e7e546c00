// --tls-cert / --tls-key: HTTPS that a client can verify by certificate and host name.
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>

#include "conformance_fixture.hpp"

namespace kintone_emulator::conformance {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

// A self-signed certificate for localhost / 127.0.0.1, as PEM files.
void write_certificate(const fs::path& cert_path, const fs::path& key_path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), -600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                                   {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
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

// GET over HTTPS, verifying the server against `ca` for `host_name`; throws when verification fails.
int https_get(const std::string& base_url, const fs::path& ca, const std::string& host_name,
              const std::string& target) {
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
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, host_name);
  req.set("X-Cybozu-API-Token", customers_full);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.result_int();
}

class kintone_tls : public kintone_test {};

TEST_F(kintone_tls, serves_https_verifiable_by_certificate_and_host_name) {
  const fs::path dir = fs::temp_directory_path() / ("kintone-emulator-tls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_certificate(dir / "cert.pem", dir / "key.pem");
  restart({"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()});
  ASSERT_TRUE(base_url().starts_with("https://127.0.0.1:")) << base_url();
  EXPECT_EQ(https_get(base_url(), dir / "cert.pem", "localhost", "/k/v1/records.json?app=1"), 200);
  EXPECT_ANY_THROW(https_get(base_url(), dir / "cert.pem", "example.cybozu.com", "/k/v1/records.json?app=1"));
  emulator_.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kintone_emulator::conformance
