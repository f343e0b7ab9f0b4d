// The worker app's door under attack, over raw sockets to a dev node: a header trickled byte by
// byte is cut off, a crowd of idle strangers cannot keep staff from signing in, and feeds are
// bounded per session and per staff member without touching anyone else's.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "services/common/host_port.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/shared_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using testing::as;

// A raw TCP connection to the door, closed with the object.
class RawConnection {
 public:
  explicit RawConnection(const std::string& address) {
    auto parsed = parse_host_port(address, "address", PortZero::kAnyFree);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(parsed->port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False once the door has closed the connection.
  bool send(std::string_view text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Reads what has arrived, without waiting longer than `wait`; false once the door closed it.
  bool read_for(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) received_.append(buffer, static_cast<size_t>(n));
    return n > 0;
  }
  // True when the door closes the connection within `within`.
  bool closed_within(std::chrono::milliseconds within) {
    auto until = SteadyClock::now() + within;
    while (SteadyClock::now() < until) {
      if (!read_for(50ms)) return true;
    }
    return false;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

class WebDoor : public testing::SharedNodeTest<WebDoor> {
 protected:
  WebDoor() : SharedNodeTest("web-door-") {}

  static void SetUpTestSuite() {
    // This process holds over a thousand connections.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    SharedNodeTest::SetUpTestSuite();
  }

  // A staff member of this test's pool and their token.
  std::string add_staff(const std::string& id) {
    v1::UpsertStaffRequest req;
    req.mutable_staff()->set_id(id);
    req.mutable_staff()->set_display_name(id);
    req.mutable_staff()->set_time_zone("Asia/Manila");
    req.mutable_staff()->set_capacity(1);
    req.mutable_staff()->set_pool(pool);
    req.set_issue_token(true);
    v1::UpsertStaffResponse resp;
    EXPECT_TRUE(dev->admin()->UpsertStaff(as(dev->admin_key()).get(), req, &resp).ok());
    return resp.staff_token();
  }

  // Signs in with `token`; answers the session cookie (name=value), empty on failure.
  std::string sign_in(const std::string& token) {
    httplib::Client http("http://" + dev->node().http_address());
    http.set_read_timeout(5, 0);
    auto res =
        http.Post("/api/v1/sign-in", "{\"staffToken\":\"" + token + "\"}", "application/json");
    if (!res || res->status != 200) return {};
    std::string set_cookie = res->get_header_value("Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  // Opens an offer feed on `connection` and waits until it is caught up.
  void open_feed(RawConnection& connection, const std::string& cookie) {
    ASSERT_TRUE(connection.connected());
    ASSERT_TRUE(connection.send(
        "GET /api/v1/offers/stream HTTP/1.1\r\nHost: door\r\nCookie: " + cookie + "\r\n\r\n"));
    auto until = SteadyClock::now() + 10s;
    while (connection.received().find("event: synced") == std::string::npos &&
           SteadyClock::now() < until) {
      ASSERT_TRUE(connection.read_for(50ms)) << "the feed closed: " << connection.received();
    }
    ASSERT_NE(connection.received().find("event: synced"), std::string::npos)
        << connection.received();
  }
};

TEST_F(WebDoor, AHeaderTrickledByteByByteIsCutOffWhileStaffSignIn) {
  std::string token = add_staff("ana");
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawConnection>(dev->node().http_address()));
    ASSERT_TRUE(slow.back()->connected());
  }
  const std::string header = "GET / HTTP/1.1\r\nHost: door\r\nX-Slow: ";
  auto started = SteadyClock::now();
  size_t sent = 0;
  bool all_cut = false;
  while (!all_cut && SteadyClock::now() - started < 20s) {
    all_cut = true;
    for (auto& connection : slow) {
      char byte = sent < header.size() ? header[sent] : 'x';
      if (connection->send(std::string_view(&byte, 1)) && connection->read_for(0ms)) {
        all_cut = false;
      }
    }
    ++sent;
    // Sign-ins go on meanwhile (how fast: scripts/bench-webdoor, docs/performance.md).
    if (sent % 4 == 0) {
      EXPECT_FALSE(sign_in(token).empty());
    }
    std::this_thread::sleep_for(500ms);
  }
  EXPECT_TRUE(all_cut) << "slow headers were still read after 20 s";
  // The request deadline is 10 s from the first byte awaited.
  EXPECT_GE(SteadyClock::now() - started, 9s);
}

TEST_F(WebDoor, ACrowdOfIdleStrangersCannotKeepStaffOut) {
  std::string token = add_staff("ana");
  std::vector<std::unique_ptr<RawConnection>> strangers;
  for (int i = 0; i < 1'200; ++i) {
    strangers.push_back(std::make_unique<RawConnection>(dev->node().http_address()));
    ASSERT_TRUE(strangers.back()->connected()) << i;
  }
  // At most 1,024 strangers at once: the oldest went to make room for the newest.
  EXPECT_TRUE(strangers.front()->closed_within(5s));
  std::string cookie = sign_in(token);
  EXPECT_FALSE(cookie.empty());
  RawConnection page(dev->node().http_address());
  ASSERT_NO_FATAL_FAILURE(open_feed(page, cookie));
  // More strangers do not evict a signed-in page.
  for (int i = 0; i < 1'200; ++i) {
    strangers.push_back(std::make_unique<RawConnection>(dev->node().http_address()));
  }
  EXPECT_FALSE(page.closed_within(2s)) << page.received();
}

TEST_F(WebDoor, FeedsAreBoundedPerSessionAndPerStaffMemberOnly) {
  std::string ana = add_staff("ana");
  std::string raj = add_staff("raj");
  std::string raj_cookie = sign_in(raj);
  RawConnection raj_page(dev->node().http_address());
  ASSERT_NO_FATAL_FAILURE(open_feed(raj_page, raj_cookie));

  // The same session again (a reloaded tab): the newer feed replaces the older.
  std::string cookie = sign_in(ana);
  RawConnection first(dev->node().http_address());
  ASSERT_NO_FATAL_FAILURE(open_feed(first, cookie));
  RawConnection second(dev->node().http_address());
  ASSERT_NO_FATAL_FAILURE(open_feed(second, cookie));
  EXPECT_TRUE(first.closed_within(5s));

  // Ana flooding with sessions of her own holds four feeds at most, the newest.
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 8; ++i) {
    flood.push_back(std::make_unique<RawConnection>(dev->node().http_address()));
    ASSERT_NO_FATAL_FAILURE(open_feed(*flood.back(), sign_in(ana)));
  }
  EXPECT_TRUE(second.closed_within(5s));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(flood[i]->closed_within(5s)) << i;
  for (int i = 4; i < 8; ++i) EXPECT_FALSE(flood[i]->closed_within(100ms)) << i;
  EXPECT_FALSE(raj_page.closed_within(100ms)) << "another staff member's feed was touched";
}

TEST_F(WebDoor, AnOversizedHeaderIsRefusedWith431) {
  RawConnection connection(dev->node().http_address());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.send("GET / HTTP/1.1\r\nHost: door\r\nX-Big: " + std::string(9000, 'a') +
                              "\r\n\r\n"));
  EXPECT_TRUE(connection.closed_within(5s));
  EXPECT_TRUE(connection.received().starts_with("HTTP/1.1 431")) << connection.received();
  EXPECT_NE(connection.received().find("\"field\":\"header\""), std::string::npos);
}

}  // namespace
}  // namespace lexroute
