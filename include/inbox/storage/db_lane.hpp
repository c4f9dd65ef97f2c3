#pragma once
// A bulkhead in front of a DbPool: the calls of one family (one repository) hold at most all but one of the pool's
// connections at a time. When a table is locked or slow, the calls that touch it pile up in their own lane and
// time out there (503 at the pool's acquire deadline), while every other family still finds a connection. The
// pool does the waiting (one admission, one deadline: db_pool.hpp); the lane names the family, its share and its
// work class (how long its statements may wait for a lock and run).
#include <cstddef>
#include <string>
#include <utility>

#include "inbox/storage/db_pool.hpp"

namespace inbox::storage {

class DbLane {
public:
    // `name` labels the lane in errors and metrics.
    DbLane(DbPool& pool, std::string name, WorkClass work = WorkClass::interactive)
        : pool_(pool), lane_(pool.add_lane(std::move(name), pool.size() > 1 ? pool.size() - 1 : 1, work)) {}
    DbLane(const DbLane&) = delete;
    DbLane& operator=(const DbLane&) = delete;

    // DbPool::run_in this lane. Not a coroutine (GCC 12, docs/ARCHITECTURE.md).
    template <typename Fn>
    auto run(Fn fn) {
        return pool_.run_in(lane_, std::move(fn));
    }

    std::size_t capacity() const noexcept { return lane_.share; }
    std::size_t in_use() const { return pool_.in_use(lane_); }

private:
    DbPool& pool_;
    DbPool::Lane& lane_;
};

}  // namespace inbox::storage
