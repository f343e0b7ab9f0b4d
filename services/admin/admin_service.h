#pragma once

#include "lexroute/v1/admin.grpc.pb.h"
#include "router/clock.h"
#include "services/redis/credential_store.h"
#include "services/redis/pool_store.h"
#include "services/redis/staff_store.h"

namespace lexroute {

// gRPC Admin: firms, the staff roster (bulk import, walls, vendors: admin_workforce.cpp) and
// pools (admin_pools.cpp). Callers present the admin key,
// which is configured as its SHA-256 only.
class AdminService final : public v1::Admin::Service {
 public:
  AdminService(std::string admin_key_sha256, CredentialStore& credentials, StaffStore& staff,
               PoolStore& pools, const Clock& clock)
      : admin_key_sha256_(std::move(admin_key_sha256)),
        credentials_(credentials),
        staff_(staff),
        pools_(pools),
        clock_(clock) {}

  grpc::Status CreateFirm(grpc::ServerContext* context, const v1::CreateFirmRequest* request,
                          v1::CreateFirmResponse* response) override;
  grpc::Status SetPayloadSchemes(grpc::ServerContext* context,
                                 const v1::SetPayloadSchemesRequest* request,
                                 v1::SetPayloadSchemesResponse* response) override;
  grpc::Status UpsertStaff(grpc::ServerContext* context, const v1::UpsertStaffRequest* request,
                           v1::UpsertStaffResponse* response) override;
  grpc::Status ConfigurePool(grpc::ServerContext* context, const v1::ConfigurePoolRequest* request,
                             v1::ConfigurePoolResponse* response) override;
  grpc::Status ImportRoster(grpc::ServerContext* context, const v1::ImportRosterRequest* request,
                            v1::ImportRosterResponse* response) override;
  grpc::Status AddMatterWall(grpc::ServerContext* context, const v1::AddMatterWallRequest* request,
                             v1::AddMatterWallResponse* response) override;
  grpc::Status UpsertVendor(grpc::ServerContext* context, const v1::UpsertVendorRequest* request,
                            v1::Vendor* response) override;
  grpc::Status ListVendors(grpc::ServerContext* context, const v1::ListVendorsRequest* request,
                           v1::ListVendorsResponse* response) override;
  grpc::Status PoolStatus(grpc::ServerContext* context, const v1::PoolStatusRequest* request,
                          v1::PoolStatusResponse* response) override;

 private:
  Result<void> authorize(grpc::ServerContext* context) const;
  // Errors name the field, e.g. "scaling.bench_staff[2]" (admin_pools.cpp).
  Result<void> validate_scaling(const std::string& pool, const v1::PoolScaling& scaling);

  std::string admin_key_sha256_;
  CredentialStore& credentials_;
  StaffStore& staff_;
  PoolStore& pools_;
  const Clock& clock_;
};

}  // namespace lexroute
