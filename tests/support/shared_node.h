#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/dev_node.h"
#include "tests/support/temp_dir.h"

namespace lexroute::testing {

// An end-to-end suite's fixture with one dev node for the whole suite (the router's first group
// join alone takes seconds) and a pool of its own for each test, named `<prefix><n>`, so what one
// test leaves behind is never offered to another's staff. A test that stops a node starts one of
// its own with start_own_node(). `Suite` is the fixture deriving from this one, so that suites
// sharing a binary each have their own node.
template <typename Suite>
class SharedNodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_dir_ = std::make_unique<TempDir>();
    shared_ = std::make_unique<DevNode>(shared_dir_->str() + "/data");
  }

  static void TearDownTestSuite() {
    shared_.reset();
    shared_dir_.reset();
  }

  explicit SharedNodeTest(std::string pool_prefix) : pool_prefix_(std::move(pool_prefix)) {}

  void SetUp() override {
    ASSERT_TRUE(shared_ && shared_->started()) << "the suite's dev node did not start";
    dev = shared_.get();
    pool = pool_prefix_ + std::to_string(++tests_started_);
  }

  // Makes `dev` a dev node for this test alone, in `dir` (started again on the same data when
  // called twice: the append-only file stays).
  void start_own_node() {
    own.reset();
    own = std::make_unique<DevNode>(dir.str() + "/data");
    ASSERT_TRUE(own->started());
    dev = own.get();
  }

  TempDir dir;
  std::unique_ptr<DevNode> own;
  DevNode* dev = nullptr;  // the shared node, or this test's own
  std::string pool;

 private:
  static inline std::unique_ptr<TempDir> shared_dir_;
  static inline std::unique_ptr<DevNode> shared_;
  static inline int tests_started_ = 0;
  std::string pool_prefix_;
};

}  // namespace lexroute::testing
