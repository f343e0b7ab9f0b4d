// TLS on the gRPC doors, over real sockets, with certificates the test makes with `openssl`: one
// `lexrouted dev` serves TLS (a firm submits and a staff member is offered the task through it),
// clients that trust another CA or speak plaintext are refused, a rotated certificate is served
// without a restart (on the gRPC door and the worker app's HTTPS door), the CLI connects with
// --ca-file, mutual TLS refuses clients without a certificate, and bad TLS flags stop the start
// naming the flag and the file.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "cli/client.h"
#include "cli/tls_flags.h"
#include "lexroute/v1/admin.grpc.pb.h"
#include "services/common/host_port.h"
#include "services/common/tls_credentials.h"
#include "services/lexrouted/config.h"
#include "tests/support/builders.h"
#include "tests/support/command_run.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certificates.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;
using testing::CertFiles;
using testing::TestCertificateAuthority;

cli::ChannelSecurity security(const cli::TlsFlags& flags) {
  auto loaded = cli::load_channel_security(flags);
  [&] { ASSERT_TRUE(loaded.has_value()) << loaded.error().message; }();
  return loaded.value_or(cli::ChannelSecurity{});
}

// A channel on a connection of its own: channels to one address otherwise share a connection, and
// only a new connection makes a new handshake (and sees a rotated certificate).
std::shared_ptr<grpc::Channel> fresh_channel(const std::string& address,
                                             const cli::ChannelSecurity& security) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return cli::open_channel(address, security, args);
}

std::string property(const grpc::ClientContext& ctx, const std::string& name) {
  auto auth = ctx.auth_context();
  if (!auth) return "";
  auto values = auth->FindPropertyValues(name);
  return values.empty() ? "" : std::string(values.front().data(), values.front().size());
}

// One CreateFirm call: its status, and the common name of the certificate the server showed.
struct Call {
  grpc::Status status;
  std::string api_key;
  std::string server_common_name;
};

Call create_firm(const std::shared_ptr<grpc::Channel>& channel, const std::string& admin_key,
                 const std::string& firm) {
  v1::CreateFirmRequest req;
  req.set_firm_id(firm);
  v1::CreateFirmResponse resp;
  auto ctx = as(admin_key);
  Call call;
  call.status = v1::Admin::NewStub(channel)->CreateFirm(ctx.get(), req, &resp);
  call.api_key = resp.api_key();
  call.server_common_name = property(*ctx, "x509_common_name");
  return call;
}

// The subject of the certificate an OpenSSL client is shown at `address`, having verified it
// against `ca_file` ("subject=CN = intake-1"); empty when the handshake failed.
std::string https_subject(const std::string& address, const std::string& ca_file) {
  auto run = testing::run_command("openssl s_client -connect " + address + " -CAfile " + ca_file +
                                  " -verify_return_error </dev/null 2>/dev/null"
                                  " | openssl x509 -noout -subject 2>/dev/null");
  return run.exit_code == 0 ? run.out.substr(0, run.out.find('\n')) : "";
}

// Writes `from` over `to` the way cert-manager's secret volumes do: a complete new file appears
// at once (rename), never a half-written one.
void replace_file(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to + ".new", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(to + ".new", to);
}

// The certificates every suite uses, made once per process: our CA and an unrelated one.
struct Pki {
  testing::TempDir dir;
  TestCertificateAuthority ca{dir.str(), "lexroute"};
  TestCertificateAuthority unrelated_ca{dir.str(), "unrelated"};
};

Pki& pki() {
  static Pki made;
  return made;
}

cli::ChannelSecurity trusting_our_ca() { return security({.ca_file = pki().ca.ca_file()}); }

// One `lexrouted dev` serving gRPC over TLS for the suite, reading its files again every second.
class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CertFiles first = pki().ca.issue_server("intake-1", "intake.lexroute.test");
    // The node serves these two paths; the rotation test writes a new certificate over them.
    served = {pki().dir.str() + "/served.crt", pki().dir.str() + "/served.key"};
    std::filesystem::copy_file(first.cert, served.cert);
    std::filesystem::copy_file(first.key, served.key);
    data_dir = std::make_unique<testing::TempDir>();
    Config config = testing::DevNode::dev_config(data_dir->str() + "/data");
    config.tls = {served.cert, served.key, "", ClientAuth::kNone, 1s};
    node = std::make_unique<testing::DevNode>(config);
  }

  static void TearDownTestSuite() {
    node.reset();
    data_dir.reset();
  }

  void SetUp() override {
    ASSERT_TRUE(pki().ca.ok() && pki().unrelated_ca.ok()) << "the test certificates were not made";
    ASSERT_TRUE(node && node->started()) << "the suite's TLS dev node did not start";
    address = node->node().grpc_address();
  }

  static inline CertFiles served;
  static inline std::unique_ptr<testing::TempDir> data_dir;
  static inline std::unique_ptr<testing::DevNode> node;
  static inline int firms = 0;
  std::string address;
};

TEST_F(Tls, FirmSubmitsAndStaffIsOfferedTheTaskOverTls) {
  auto channel = fresh_channel(address, trusting_our_ca());
  Call firm = create_firm(channel, node->admin_key(), "tls-firm-" + std::to_string(++firms));
  ASSERT_TRUE(firm.status.ok()) << firm.status.error_message();

  auto admin = v1::Admin::NewStub(channel);
  v1::UpsertStaffRequest staff;
  staff.mutable_staff()->set_id("tls-ana");
  staff.mutable_staff()->set_time_zone("Asia/Manila");
  staff.mutable_staff()->set_capacity(1);
  staff.mutable_staff()->set_pool("tls");
  auto* skill = staff.mutable_staff()->add_skills();
  skill->set_skill("doc-review");
  skill->set_proficiency(4);
  staff.set_issue_token(true);
  v1::UpsertStaffResponse added;
  auto upserted = admin->UpsertStaff(as(node->admin_key()).get(), staff, &added);
  ASSERT_TRUE(upserted.ok()) << upserted.error_message();

  auto gateway = v1::WorkerGateway::NewStub(channel);
  ASSERT_NO_FATAL_FAILURE(testing::set_available(*gateway, added.staff_token()));
  testing::OfferStream offers(*gateway, added.staff_token());

  v1::SubmitTaskRequest task;
  auto* spec = task.mutable_spec();
  spec->set_matter_id("m-tls");
  spec->set_pool("tls");
  spec->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  auto* needed = spec->add_required_skills();
  needed->set_skill("doc-review");
  needed->set_min_proficiency(3);
  *spec->mutable_deadline() = TimeUtil::GetCurrentTime() + TimeUtil::HoursToDuration(24);
  spec->set_effort_minutes(20);
  spec->set_payload_ref("https://dms.tls.example/m-tls/doc/1");
  v1::SubmitTaskResponse submitted;
  auto ctx = as(firm.api_key);
  auto status = v1::TaskIntake::NewStub(channel)->SubmitTask(ctx.get(), task, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(property(*ctx, "transport_security_type"), "ssl");

  // The router's first consumer-group join on the embedded Kafka takes a few seconds.
  for (auto event = offers.next(30s); event; event = offers.next(30s)) {
    if (event->has_offered() && event->offered().task_id() == submitted.task_id()) return;
  }
  FAIL() << "the task submitted over TLS was not offered over TLS";
}

TEST_F(Tls, PlaintextClientIsRefused) {
  Call call = create_firm(fresh_channel(address, {}), node->admin_key(), "tls-plaintext");
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAVAILABLE) << call.status.error_message();
}

TEST_F(Tls, ClientTrustingAnotherCaIsRefused) {
  Call call =
      create_firm(fresh_channel(address, security({.ca_file = pki().unrelated_ca.ca_file()})),
                  node->admin_key(), "tls-unrelated");
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAVAILABLE) << call.status.error_message();
}

TEST_F(Tls, ServerNameMustBeOneTheCertificateCarries) {
  auto named = [&](const std::string& name) {
    return create_firm(
        fresh_channel(address, security({.ca_file = pki().ca.ca_file(), .server_name = name})),
        node->admin_key(), "tls-named-" + std::to_string(++firms));
  };
  Call carried = named("intake.lexroute.test");
  EXPECT_TRUE(carried.status.ok()) << carried.status.error_message();
  Call other = named("billing.lexroute.test");
  EXPECT_EQ(other.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << other.status.error_message();
}

TEST_F(Tls, RotatedCertificateIsServedWithoutARestart) {
  Call before = create_firm(fresh_channel(address, trusting_our_ca()), node->admin_key(),
                            "tls-rotate-" + std::to_string(++firms));
  ASSERT_TRUE(before.status.ok()) << before.status.error_message();
  std::string renewed_name = before.server_common_name + "-renewed";
  CertFiles renewed = pki().ca.issue_server(renewed_name, "intake.lexroute.test");
  ASSERT_TRUE(pki().ca.ok());

  replace_file(renewed.key, served.key);
  replace_file(renewed.cert, served.cert);

  std::string seen;
  bool rotated = testing::eventually(
      [&] {
        Call call = create_firm(fresh_channel(address, trusting_our_ca()), node->admin_key(),
                                "tls-rotate-" + std::to_string(++firms));
        seen = call.status.ok() ? call.server_common_name : call.status.error_message();
        return seen == renewed_name;
      },
      15s, 250ms);
  EXPECT_TRUE(rotated) << "still served: " << seen
                       << " (before the rotation: " << before.server_common_name << ")";

  // The worker app's HTTPS door reads the same files on the same interval.
  std::string web = node->node().http_address();
  EXPECT_TRUE(testing::eventually(
      [&] { return https_subject(web, pki().ca.ca_file()) == "subject=CN = " + renewed_name; }, 15s,
      250ms))
      << "the worker app still serves: " << https_subject(web, pki().ca.ca_file());
}

TEST_F(Tls, WorkerAppIsServedOverHttpsWithASecureSessionCookie) {
  auto admin = v1::Admin::NewStub(fresh_channel(address, trusting_our_ca()));
  v1::UpsertStaffRequest staff;
  staff.mutable_staff()->set_id("tls-web-raj");
  staff.mutable_staff()->set_time_zone("Asia/Kolkata");
  staff.mutable_staff()->set_capacity(1);
  staff.mutable_staff()->set_pool("tls-web");
  staff.set_issue_token(true);
  v1::UpsertStaffResponse added;
  auto upserted = admin->UpsertStaff(as(node->admin_key()).get(), staff, &added);
  ASSERT_TRUE(upserted.ok()) << upserted.error_message();

  auto web = parse_host_port(node->node().http_address(), "http-listen");
  ASSERT_TRUE(web.has_value());
  httplib::SSLClient https(web->host, web->port);
  https.set_ca_cert_path(pki().ca.ca_file().c_str());
  https.enable_server_certificate_verification(true);
  auto page = https.Get("/");
  ASSERT_TRUE(page) << "no HTTPS answer: " << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  auto signed_in = https.Post("/api/v1/sign-in", "{\"staffToken\":\"" + added.staff_token() + "\"}",
                              "application/json");
  ASSERT_TRUE(signed_in) << httplib::to_string(signed_in.error());
  EXPECT_EQ(signed_in->status, 200) << signed_in->body;
  std::string cookie = signed_in->get_header_value("Set-Cookie");
  EXPECT_TRUE(cookie.starts_with("lx_session=")) << cookie;
  EXPECT_TRUE(cookie.ends_with("; Secure")) << cookie;

  httplib::SSLClient untrusting(web->host, web->port);
  untrusting.set_ca_cert_path(pki().unrelated_ca.ca_file().c_str());
  untrusting.enable_server_certificate_verification(true);
  EXPECT_FALSE(untrusting.Get("/")) << "a client trusting another CA got an answer";
  httplib::Client plain(web->host, web->port);
  plain.set_read_timeout(5, 0);
  auto plain_page = plain.Get("/");
  EXPECT_FALSE(plain_page && plain_page->status == 200) << "plain HTTP was served";
}

TEST_F(Tls, CliConnectsWithCaFile) {
  std::string cli = std::string(LEXROUTE_CLI_PATH) + " --server " + address;
  std::string create = " admin --admin-key " + node->admin_key() + " create-firm tls-cli-";

  auto with_ca = testing::run_command(cli + " --ca-file " + pki().ca.ca_file() + create + "a");
  EXPECT_EQ(with_ca.exit_code, 0) << with_ca.out;
  EXPECT_TRUE(with_ca.out.starts_with("lxf_")) << with_ca.out;

  auto with_env =
      testing::run_command("LEXROUTE_CA_FILE=" + pki().ca.ca_file() + " " + cli + create + "b");
  EXPECT_EQ(with_env.exit_code, 0) << with_env.out;

  // The system's CAs do not include the test's, so --tls alone must not connect.
  auto system_roots = testing::run_command(cli + " --tls" + create + "c");
  EXPECT_EQ(system_roots.exit_code, 1) << system_roots.out;
  EXPECT_NE(system_roots.out.find("UNAVAILABLE"), std::string::npos) << system_roots.out;

  auto plaintext = testing::run_command(cli + create + "d");
  EXPECT_EQ(plaintext.exit_code, 1) << plaintext.out;

  auto unreadable =
      testing::run_command(cli + " --ca-file " + pki().dir.str() + "/missing.crt" + create + "e");
  EXPECT_EQ(unreadable.exit_code, 2) << unreadable.out;
  EXPECT_NE(unreadable.out.find("--ca-file " + pki().dir.str() + "/missing.crt: cannot be read"),
            std::string::npos)
      << unreadable.out;
}

// A server that answers CreateFirm with the common name of the client's certificate, to show what
// the handshake let through. Its credentials are made exactly as lexrouted's.
class ClientNameEcho final : public v1::Admin::Service {
  grpc::Status CreateFirm(grpc::ServerContext* ctx, const v1::CreateFirmRequest*,
                          v1::CreateFirmResponse* resp) override {
    auto names = ctx->auth_context()->FindPropertyValues("x509_common_name");
    resp->set_api_key(names.empty() ? "anonymous"
                                    : std::string(names.front().data(), names.front().size()));
    return grpc::Status::OK;
  }
};

class MutualTls : public ::testing::Test {
 protected:
  void start(ClientAuth client_auth) {
    ASSERT_TRUE(ca.ok() && unrelated_ca.ok()) << "the test certificates were not made";
    CertFiles cert = ca.issue_server("mtls-server");
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(
        "127.0.0.1:0", server_credentials({cert.cert, cert.key, ca.ca_file(), client_auth, 1s}),
        &port);
    builder.RegisterService(&echo);
    server = builder.BuildAndStart();
    ASSERT_TRUE(server && port > 0);
    mtls_address = "127.0.0.1:" + std::to_string(port);
  }

  void TearDown() override {
    if (server) server->Shutdown(std::chrono::system_clock::now() + 1s);
  }

  // What the server saw of the client ("anonymous": no certificate), or the refusal.
  std::string client_seen(const cli::TlsFlags& flags) {
    Call call = create_firm(fresh_channel(mtls_address, security(flags)), "", "any");
    return call.status.ok() ? call.api_key : "refused: " + call.status.error_message();
  }

  TestCertificateAuthority& ca = pki().ca;
  TestCertificateAuthority& unrelated_ca = pki().unrelated_ca;
  ClientNameEcho echo;
  std::unique_ptr<grpc::Server> server;
  std::string mtls_address;
};

TEST_F(MutualTls, RequireRefusesClientsWithoutACertificateFromTheClientCa) {
  ASSERT_NO_FATAL_FAILURE(start(ClientAuth::kRequire));
  CertFiles firm = ca.issue_client("firm-acme");
  CertFiles stranger = unrelated_ca.issue_client("stranger");
  EXPECT_EQ(
      client_seen({.ca_file = ca.ca_file(), .client_cert = firm.cert, .client_key = firm.key}),
      "firm-acme");
  EXPECT_TRUE(client_seen({.ca_file = ca.ca_file()}).starts_with("refused"));
  EXPECT_TRUE(
      client_seen(
          {.ca_file = ca.ca_file(), .client_cert = stranger.cert, .client_key = stranger.key})
          .starts_with("refused"));

  // The CLI's --client-cert and --client-key: CreateFirm's answer is the name the server saw.
  std::string cli =
      std::string(LEXROUTE_CLI_PATH) + " --server " + mtls_address + " --ca-file " + ca.ca_file();
  auto with_cert = testing::run_command(cli + " --client-cert " + firm.cert + " --client-key " +
                                        firm.key + " admin --admin-key x create-firm f");
  EXPECT_EQ(with_cert.exit_code, 0) << with_cert.out;
  EXPECT_EQ(with_cert.out, "firm-acme\n");
  auto without = testing::run_command(cli + " admin --admin-key x create-firm f");
  EXPECT_EQ(without.exit_code, 1) << without.out;
  auto half = testing::run_command(cli + " --client-cert " + firm.cert +
                                   " admin --admin-key x create-firm f");
  EXPECT_EQ(half.exit_code, 2) << half.out;
  EXPECT_NE(half.out.find("--client-cert " + firm.cert + " needs --client-key"), std::string::npos)
      << half.out;
}

TEST_F(MutualTls, OptionalLetsClientsWithoutACertificateInButChecksOnesThatSendOne) {
  ASSERT_NO_FATAL_FAILURE(start(ClientAuth::kOptional));
  CertFiles firm = ca.issue_client("firm-globex");
  CertFiles stranger = unrelated_ca.issue_client("stranger");
  EXPECT_EQ(client_seen({.ca_file = ca.ca_file()}), "anonymous");
  EXPECT_EQ(
      client_seen({.ca_file = ca.ca_file(), .client_cert = firm.cert, .client_key = firm.key}),
      "firm-globex");
  EXPECT_TRUE(
      client_seen(
          {.ca_file = ca.ca_file(), .client_cert = stranger.cert, .client_key = stranger.key})
          .starts_with("refused"));
}

// parse_config as lexrouted's main calls it.
Result<Config> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "lexrouted");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_config(static_cast<int>(argv.size()), argv.data(), environ);
}

TEST(TlsStartFlags, BadOnesStopTheStartNamingTheFlagAndTheFile) {
  ASSERT_TRUE(pki().ca.ok());
  CertFiles served = pki().ca.issue_server("flags-server");
  CertFiles other = pki().ca.issue_server("other-server");
  std::string missing = pki().dir.str() + "/missing.pem";
  struct Case {
    std::vector<std::string> args;
    std::string field;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"dev", "--tls-cert", served.cert},
       "tls-key",
       "--tls-cert " + served.cert + " needs --tls-key"},
      {{"gateway", "--redis", "r:1", "--tls-key", served.key},
       "tls-cert",
       "--tls-key " + served.key + " needs --tls-cert"},
      {{"dev", "--tls-cert", missing, "--tls-key", served.key},
       "tls-cert",
       "--tls-cert " + missing + ": cannot be read"},
      {{"dev", "--tls-cert", pki().dir.str(), "--tls-key", served.key},
       "tls-cert",
       "--tls-cert " + pki().dir.str() + ": is a directory"},
      {{"dev", "--tls-cert", served.cert, "--tls-key", missing},
       "tls-key",
       "--tls-key " + missing + ": cannot be read"},
      {{"dev", "--tls-cert", served.key, "--tls-key", served.key},
       "tls-cert",
       "--tls-cert " + served.key + ": holds no PEM certificate"},
      {{"dev", "--tls-cert", served.cert, "--tls-key", served.cert},
       "tls-key",
       "--tls-key " + served.cert + ": holds no unencrypted PEM private key"},
      {{"dev", "--tls-cert", served.cert, "--tls-key", other.key},
       "tls-key",
       "--tls-key " + other.key + ": is not the key of the certificate in --tls-cert " +
           served.cert},
      {{"dev", "--tls-client-ca", pki().ca.ca_file()},
       "tls-client-ca",
       "--tls-client-ca " + pki().ca.ca_file() + " needs --tls-cert and --tls-key"},
      {{"dev", "--tls-cert", served.cert, "--tls-key", served.key, "--tls-client-ca", missing},
       "tls-client-ca",
       "--tls-client-ca " + missing + ": cannot be read"},
      {{"dev", "--tls-cert", served.cert, "--tls-key", served.key, "--tls-client-auth", "require"},
       "tls-client-auth",
       "--tls-client-auth needs --tls-client-ca"},
      {{"dev", "--tls-cert", served.cert, "--tls-key", served.key, "--tls-client-ca",
        pki().ca.ca_file(), "--tls-client-auth", "sometimes"},
       "tls-client-auth",
       "--tls-client-auth must be require or optional, not 'sometimes'"},
  };
  for (const auto& c : cases) {
    auto config = parse(c.args);
    ASSERT_FALSE(config.has_value()) << c.message;
    EXPECT_EQ(config.error().field, c.field) << config.error().message;
    EXPECT_NE(config.error().message.find(c.message), std::string::npos)
        << config.error().message << "\n  expected: " << c.message;
  }

  auto mutual = parse({"intake", "--redis", "r:1", "--kafka-brokers", "k:1", "--admin-key-sha256",
                       std::string(64, 'a'), "--tls-cert", served.cert, "--tls-key", served.key,
                       "--tls-client-ca", pki().ca.ca_file(), "--tls-reload-seconds", "5"});
  ASSERT_TRUE(mutual.has_value()) << mutual.error().message;
  EXPECT_EQ(mutual->tls.client_auth, ClientAuth::kRequire) << "a client CA alone means require";
  EXPECT_EQ(mutual->tls.reload_every, 5s);

  // The variables, as a Kubernetes pod sets them.
  ::setenv("LEXROUTE_TLS_CERT", served.cert.c_str(), 1);
  auto from_env = parse({"dev"});
  ::unsetenv("LEXROUTE_TLS_CERT");
  ASSERT_FALSE(from_env.has_value());
  EXPECT_EQ(from_env.error().field, "tls-key");

  // The real binary says it on stderr and exits 2 before starting anything.
  auto run = testing::run_command(std::string(LEXROUTED_PATH) + " dev --tls-cert " + served.cert +
                                  " --tls-key " + other.key);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(
      run.out.find("lexrouted: --tls-key " + other.key + ": is not the key of the certificate"),
      std::string::npos)
      << run.out;
}

}  // namespace
}  // namespace lexroute
