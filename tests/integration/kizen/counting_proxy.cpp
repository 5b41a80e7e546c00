#include "tests/integration/kizen/counting_proxy.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <future>
#include <vector>

namespace ks::kizen::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct counting_proxy::state {
  net::io_context io;
  tcp::acceptor acceptor{io};
  tcp::endpoint target;
  std::vector<std::weak_ptr<tcp::socket>> sockets;  // touched on the relay's thread only
};

namespace {

// One relayed connection: two sockets and a pump per direction (plain completion handlers).
struct relay : std::enable_shared_from_this<relay> {
  relay(tcp::socket c, net::io_context& io, std::function<void()> on_close)
      : client(std::make_shared<tcp::socket>(std::move(c))),
        upstream(std::make_shared<tcp::socket>(io)),
        on_close_(std::move(on_close)) {}

  std::shared_ptr<tcp::socket> client;
  std::shared_ptr<tcp::socket> upstream;
  std::array<char, 16384> up_buf{};
  std::array<char, 16384> down_buf{};
  int pumps = 2;
  std::function<void()> on_close_;

  void start() {
    pump(client, upstream, up_buf);
    pump(upstream, client, down_buf);
  }

  void pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to, std::array<char, 16384>& buf) {
    auto self = shared_from_this();
    from->async_read_some(net::buffer(buf), [self, from, to, &buf](boost::system::error_code ec, std::size_t n) {
      if (ec) return self->finish();
      net::async_write(*to, net::buffer(buf.data(), n),
                       [self, from, to, &buf](boost::system::error_code wec, std::size_t) {
                         if (wec) return self->finish();
                         self->pump(from, to, buf);
                       });
    });
  }

  // Either direction ending ends both; the connection counts as closed when both are done.
  void finish() {
    boost::system::error_code ignored;
    client->close(ignored);
    upstream->close(ignored);
    if (--pumps == 0) on_close_();
  }
};

}  // namespace

counting_proxy::counting_proxy(std::string target_host, std::uint16_t target_port) : state_(std::make_shared<state>()) {
  state_->target = tcp::endpoint(net::ip::make_address(target_host), target_port);
  tcp::endpoint listen(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(listen.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(listen);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  accept_next();
  thread_ = std::thread([s = state_] { s->io.run(); });
}

void counting_proxy::accept_next() {
  state_->acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    auto r = std::make_shared<relay>(std::move(socket), state_->io, [this] { --open_; });
    r->upstream->async_connect(state_->target, [this, r](boost::system::error_code cec) {
      if (cec) return;
      state_->sockets.push_back(r->client);
      state_->sockets.push_back(r->upstream);
      ++accepted_;
      const int now = ++open_;
      int seen = max_open_.load();
      while (now > seen && !max_open_.compare_exchange_weak(seen, now)) {
      }
      r->start();
    });
    accept_next();
  });
}

void counting_proxy::close_all() {
  std::promise<void> done;
  net::post(state_->io, [s = state_, &done] {
    for (auto& weak : s->sockets) {
      if (auto sock = weak.lock()) {
        boost::system::error_code ignored;
        sock->shutdown(tcp::socket::shutdown_both, ignored);
        sock->close(ignored);
      }
    }
    s->sockets.clear();
    done.set_value();
  });
  done.get_future().wait();
}

counting_proxy::~counting_proxy() {
  state_->io.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ks::kizen::test
