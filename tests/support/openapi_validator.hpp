#pragma once
// Forwarding header: the OpenAPI response validator lives in tests/support/openapi/.
#include "tests/support/openapi/openapi_validator.hpp"
