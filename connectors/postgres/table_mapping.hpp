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

// Where the key of a row made for a new Kizen record comes from, when key_field gives none.
enum class new_row_key {
  unknown,         // not inspected yet
  column_default,  // the key column has a default (or is an identity or generated column)
  entity_id,       // the key column is text or uuid: the Kizen record id is the key
  none,            // nothing can give one: such records cannot become rows
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
  // Kizen records flow into the table (direction both or from_kizen), and a Kizen field holds their
  // key (key_field).
  bool pulls = false;
  bool has_key_field = false;
  // Found when the engine starts (table_inspector::new_key_source).
  new_row_key new_key = new_row_key::unknown;
  std::vector<table_column> fields;  // in config order
  std::string place;                 // where the object is configured, "file:line:col: " or ""
};

}  // namespace ks::pg
