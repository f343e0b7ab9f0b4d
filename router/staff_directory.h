#pragma once

#include <absl/time/time.h>

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "router/constraints.h"
#include "router/scoring.h"
#include "router/staff.h"
#include "router/task_requirements.h"

namespace lexroute {

// What the directory concluded about one task at one moment.
struct Decision {
  size_t pool_staff = 0;  // staff in the pool
  size_t examined = 0;    // of those, checked one by one: when someone is eligible, only staff
                          // able to take work now (the rest lacked a required skill or were not
                          // needed); when nobody is, everyone with the rarest required skill
  std::array<size_t, kConstraintCount> removed{};  // by the first constraint each one failed
  size_t eligible = 0;                             // eligible now among those examined
  std::vector<ScoreParts> ranked;                  // the best of them, best first
  // When nobody is eligible now (every staff member was examined):
  size_t qualified = 0;                      // staff passing every lasting constraint
  std::optional<absl::Time> expected_start;  // earliest moment a qualified one is on shift
  // The lasting constraint that removed the last qualified staff, when qualified == 0.
  std::optional<Constraint> blocking;
};

// The router's in-memory view of one pool's roster and of each staff member's state. Pure: the
// router service fills it from Redis and asks it without I/O. Not thread-safe.
//
// A decision does not scan the pool: it walks only the staff holding the task's rarest required
// skill, starting at a rotating position, and stops once it has found enough eligible staff to
// score. It first walks only those of them able to take work now (available, below capacity, on
// shift), in the same order, so it finds the same eligible staff as a walk over all of them. Only
// when nobody is eligible does it examine everyone with that skill, to say why and until when.
class StaffDirectory {
 public:
  void upsert(StaffProfile profile);
  void remove(const std::string& staff_id);
  // `now` marks when a staff member became idle, for the longest-idle strategy.
  void set_state(const std::string& staff_id, StaffState state,
                 absl::Time now = absl::InfinitePast());
  // The router's own count of an offer it is about to write, so that the next decision of a batch
  // sees it before Redis answers; release() takes it back when the write did not happen.
  void reserve(const std::string& staff_id, absl::Time now);
  void release(const std::string& staff_id, absl::Time now);
  // Redis found this person without room: nothing more goes to them until states are read again.
  void mark_full(const std::string& staff_id, absl::Time now);
  // Remembers an offer, for matter affinity and round robin.
  void note_offer(const std::string& staff_id, const TaskRequirements& task, absl::Time now);
  const StaffState* state(const std::string& staff_id) const;
  const StaffProfile* profile(const std::string& staff_id) const;
  size_t size() const { return by_id_.size(); }

  Decision decide(const TaskRequirements& task, absl::Time now, BalanceStrategy strategy,
                  size_t top_k = 5) const;

  bool anyone_has_room() const;

  // Eligible staff found before a decision stops walking and scores.
  static constexpr size_t kEnoughEligible = 16;

 private:
  struct ShiftCache {
    absl::Time computed_for = absl::InfinitePast();
    absl::Time valid_until = absl::InfinitePast();
    bool on_shift = false;
    absl::Time shift_end;   // when on shift
    absl::Time next_start;  // when off shift (InfiniteFuture: none within the horizon)
  };
  // What the lasting constraints (vendor to residency) need to know about one staff member,
  // interned and packed into 32 bytes. Each skill bucket holds a copy per member, so a walk reads
  // its bucket in order instead of chasing each member's heap blocks. Whatever does not fit
  // (more than kSkills skills, an id past the packed range) is marked and checked on the full
  // profile instead.
  struct alignas(32) Card {
    static constexpr size_t kSkills = 7;
    static constexpr uint8_t kUnpacked = 0xFF;  // the id did not fit: look at the profile
    static constexpr uint32_t kMoreBit = uint32_t{1} << 31;  // an id of 31 or more is held
    static constexpr uint8_t kOnShift = 1;                   // flags
    static constexpr uint8_t kHasWalls = 2;                  // flags
    static constexpr uint8_t kSlow = 4;  // flags: something is unpacked or kMoreBit is set
    static constexpr uint8_t kSkillsUnpacked = 8;  // flags: skill[] and level[] are unused
    uint32_t index = 0;                            // into entries_
    uint32_t languages = 0;      // bit i: language id i (< 31); kMoreBit: others too
    uint32_t jurisdictions = 0;  // the same for jurisdictions
    uint8_t vendor = kUnpacked;
    uint8_t region = kUnpacked;
    uint8_t clearance = kUnpacked;
    // The profile's skills in order, then kUnpacked; skill[kSkills] is always kUnpacked.
    std::array<uint8_t, kSkills + 1> skill{kUnpacked, kUnpacked, kUnpacked, kUnpacked,
                                           kUnpacked, kUnpacked, kUnpacked, kUnpacked};
    std::array<uint8_t, kSkills> level{};
    // As of the last refresh (see Live): the first momentary constraint the member fails now
    // (kCanWork: none), and kOnShift.
    uint8_t momentary = kCanWork;
    uint8_t flags = 0;
  };
  static_assert(sizeof(Card) == 32);
  static constexpr uint8_t kCanWork = 0xFF;
  struct Entry {
    StaffProfile profile;
    StaffState state;
    absl::Time idle_since = absl::InfinitePast();
    absl::Time last_offer = absl::InfinitePast();
    std::deque<std::string> recent_matters;  // "firm|matter", newest first
    bool removed = false;
    std::vector<uint32_t> skill_ids;  // interned profile.skills, in order
    Card card;
  };
  // The momentary facts, dense and parallel to entries_. `momentary` and shift.on_shift are
  // copied into the member's Cards and ready bits whenever they change; they are current for
  // any moment in [shifts_from_, shifts_until_).
  struct Live {
    ShiftCache shift;
    int load = 0;
    int capacity = 1;
    Availability availability = Availability::kOffline;
    uint8_t momentary = kCanWork;
    bool carded_on_shift = false;  // shift.on_shift as last copied into the Cards
  };
  // The staff holding one skill (or everyone), with a bit per position that is set when that
  // member can take work now: available, below capacity and on shift. Every eligible member's
  // bit is set, so a walk over the set bits meets the eligible in the same order as a walk over
  // the whole bucket.
  struct Bucket {
    std::vector<Card> cards;
    std::vector<uint64_t> ready;
  };
  // An ethical wall, filed under one of its non-empty fields (matter, else party, else firm).
  struct WallRef {
    uint32_t index;  // into entries_
    bool alone;      // the filing field is its only non-empty one: matching it is enough
  };
  struct Slot {
    uint32_t bucket;  // skill id, or kEveryone
    uint32_t position;
  };
  struct Need;   // one required skill, compiled (staff_directory.cpp)
  struct Query;  // a task compiled against the interned ids (staff_directory.cpp)
  using Interned = std::unordered_map<std::string, uint32_t>;

  static uint32_t intern(Interned& ids, const std::string& name);
  void fill_card(size_t i);
  Query compile(const TaskRequirements& task) const;
  // The first lasting constraint the member fails (kCanWork: none), like
  // first_lasting_failure().
  uint8_t lasting_failure(const Card& c, const Query& q) const;
  uint8_t unpacked_lasting_failure(const Card& c, const Query& q) const;  // up to residency
  int level_of(const Card& c, const Need& need) const;
  // The staff (entries_ indexes, sorted) an ethical wall keeps off q's task.
  const std::vector<uint32_t>& walled(const Query& q) const;
  // Checks one member and counts the result into `d`; true if eligible.
  // The momentary constraints come from the Card, current after refresh_shifts(now).
  bool examine(const Card& c, const Query& q, absl::Time now, Decision& d) const;
  const ShiftCache& shift_at(size_t i, absl::Time now) const;
  ScoreParts score(const Card& c, const Query& q, absl::Time now, BalanceStrategy strategy) const;
  void rebuild_index() const;
  // Brings every member's shift status to `now` and the ready bits with it.
  void refresh_shifts(absl::Time now) const;
  // Recomputes entries_[i]'s momentary constraint and copies it to their Cards and ready bits
  // if it changed (always, with `force`).
  void mark_ready(size_t i, bool force = false) const;
  Bucket& bucket(uint32_t id) const { return id == kEveryone ? everyone_ : buckets_[id]; }

  static constexpr uint32_t kEveryone = ~uint32_t{0};

  std::vector<Entry> entries_;
  mutable std::vector<Live> live_;
  mutable std::vector<absl::Time> next_start_;  // live_[i].shift.next_start, denser
  std::unordered_map<std::string, size_t> by_id_;
  Interned skill_ids_, vendor_ids_, region_ids_, language_ids_, jurisdiction_ids_;
  mutable bool index_dirty_ = true;
  mutable std::vector<Bucket> buckets_;       // by skill id
  mutable Bucket everyone_;                   // for tasks without skills
  mutable std::vector<uint32_t> slot_begin_;  // entries_[i]'s slots: [slot_begin_[i], [i + 1])
  mutable std::vector<Slot> slots_;
  mutable std::unordered_map<std::string, std::vector<WallRef>> walls_by_matter_, walls_by_party_,
      walls_by_firm_;
  mutable std::vector<WallRef> walls_everywhere_;
  // Every shift cache is valid for moments in [shifts_from_, shifts_until_).
  mutable absl::Time shifts_from_ = absl::InfiniteFuture();
  mutable absl::Time shifts_until_ = absl::InfinitePast();
  mutable size_t cursor_ = 0;
};

}  // namespace lexroute
