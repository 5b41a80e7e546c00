#pragma once
// A mapped table as the PostgreSQL connector sees it: which table, its key, the optional entity id
// and lookup columns, and the mapped columns with what flows to Kizen. Owned by the connector;
// the config maps onto it (config/connector_settings.hpp). Plain data.

#include <optional>
#include <string>
#include <vector>

namespace ks::pg {

struct table_column {
  std::string name;
  // Flows to Kizen (direction both or to_kizen): the capture trigger copies it into the outbox.
  bool sent = true;
  // What the column is for and where the config says so, for messages:
  // role "fields[2], Kizen field lead_score", place "kizen-sync.yaml:14:9: " (or "").
  std::string role;
  std::string place;
};

struct table_mapping {
  std::string object;  // the Kizen object the table maps to (outbox rows carry it)
  std::string table_schema = "public";
  std::string table;
  std::string key;  // unique key column
  std::optional<std::string> entity_id_column;
  std::optional<std::string> lookup;
  // Changes flow to Kizen at all (direction both or to_kizen): the table has a capture trigger.
  bool sends = true;
  std::vector<table_column> fields;  // in config order
  std::string place;                 // where the object is configured, "file:line:col: " or ""
};

}  // namespace ks::pg
