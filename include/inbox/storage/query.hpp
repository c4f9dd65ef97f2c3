#pragma once
// Named queries: one place per repository, greppable, prepared once per connection on first use.
namespace inbox::storage {

struct Query {
    const char* name;
    const char* sql;
};

}  // namespace inbox::storage
