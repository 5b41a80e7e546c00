// kizen.api_key_file (and kizen.ca_file): files named by the config, read at load time.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "config_test_support.hpp"

namespace ks::config::test {
namespace {

// A config using api_key_file: `file_value` (the value is at 3:17).
std::string with_key_file(std::string_view file_value, std::string_view extra = "") {
  return "kizen:\n  base_url: https://kizen.example.com\n  api_key_file: " + std::string(file_value) +
         "\n  business_id: b\n  user_id: u\n" + std::string(extra) + std::string(postgres_lines) +
         std::string(object_lines);
}

TEST(api_key_file, content_trimmed_is_the_key) {
  temp_dir dir;
  const std::string key = dir.write("key", "  \tabc-123-secret\r\n\n");
  auto r = load(with_key_file(key));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.api_key, "abc-123-secret");
}

TEST(api_key_file, relative_path_is_relative_to_the_config_file) {
  temp_dir dir;
  std::filesystem::create_directories(std::filesystem::path(dir.path()) / "secrets");
  dir.write("secrets/key", "relative-key\n");
  const std::string config = dir.write("sync.yaml", with_key_file("secrets/key"));
  auto r = load_config_file(config, env_of({}));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.api_key, "relative-key");
}

TEST(api_key_file, path_may_come_from_the_environment) {
  temp_dir dir;
  const std::string key = dir.write("key", "env-key");
  auto r = load(with_key_file("${KEY_FILE}"), env_of({{"KEY_FILE", key}}));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.api_key, "env-key");
}

TEST(api_key_file, missing_file_is_an_error_naming_the_place_and_path) {
  temp_dir dir;
  const std::string missing = dir.path() + "/nope";
  auto r = load(with_key_file(missing));
  EXPECT_TRUE(one_error_at(r, 3, 17, "kizen.api_key_file: cannot use '" + missing + "': No such file or directory"));
}

TEST(api_key_file, path_from_the_environment_is_not_shown) {
  auto r = load(with_key_file("${KEY_FILE}"), env_of({{"KEY_FILE", "/nonexistent/hidden-name"}}));
  EXPECT_TRUE(one_error_at(r, 3, 17,
                           "kizen.api_key_file: cannot use the file named by the environment: No "
                           "such file or directory"));
  EXPECT_EQ(describe(r.error()).find("hidden-name"), std::string::npos);
}

TEST(api_key_file, empty_file_is_an_error) {
  temp_dir dir;
  const std::string key = dir.write("key", " \n\n");
  EXPECT_TRUE(one_error_at(load(with_key_file(key)), 3, 17, "': it is empty"));
}

TEST(api_key_file, directory_is_an_error) {
  temp_dir dir;
  EXPECT_TRUE(one_error_at(load(with_key_file(dir.path())), 3, 17, "': it is a directory"));
}

TEST(api_key_file, unreadable_file_is_an_error) {
  temp_dir dir;
  const std::string key = dir.write("key", "k");
  std::filesystem::permissions(key, std::filesystem::perms::none);
  if (::geteuid() != 0) {
    EXPECT_TRUE(one_error_at(load(with_key_file(key)), 3, 17, "Permission denied"));
    return;
  }
  // Root reads files without read permission (CI runs as root): load as `nobody` in a child.
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::others_exec);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const bool dropped = ::setgid(65534) == 0 && ::setuid(65534) == 0;
    const bool refused = dropped && one_error_at(load(with_key_file(key)), 3, 17, "Permission denied");
    ::_exit(!dropped ? 2 : refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: could not become nobody; 1: the file was read or the error differs";
}

TEST(api_key_file, several_lines_are_an_error_without_showing_them) {
  temp_dir dir;
  const std::string key = dir.write("key", "line-one-secret\nline-two-secret\n");
  auto r = load(with_key_file(key));
  EXPECT_TRUE(one_error_at(r, 3, 17, "contains a control character (more than one line?)"));
  EXPECT_EQ(describe(r.error()).find("-secret"), std::string::npos);
}

TEST(api_key_file, huge_file_is_an_error) {
  temp_dir dir;
  const std::string key = dir.write("key", std::string(100 * 1024, 'k'));
  EXPECT_TRUE(one_error_at(load(with_key_file(key)), 3, 17, "larger than 64 KiB"));
}

TEST(ca_file, existing_file_is_kept_resolved) {
  temp_dir dir;
  dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string config = dir.write("sync.yaml", with_kizen("  ca_file: ca.pem\n"));
  auto r = load_config_file(config, env_of({}));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(std::filesystem::path(r->kizen.ca_file), std::filesystem::path(dir.path()) / "ca.pem");
}

TEST(ca_file, empty_value_means_the_system_store) {
  auto r = load(with_kizen("  ca_file: \"\"\n"));
  ASSERT_TRUE(r) << describe(r.error());
  EXPECT_EQ(r->kizen.ca_file, "");
}

}  // namespace
}  // namespace ks::config::test
