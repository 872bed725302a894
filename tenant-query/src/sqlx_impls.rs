//! `TenantId<T>` is encoded, decoded and typed exactly like `T`, for every sqlx database.
//!
//! The macros bind the inner value themselves; these impls let rows carry a `TenantId` and plain
//! sqlx queries bind one.

use sqlx::database::Database;
use sqlx::decode::Decode;
use sqlx::encode::{Encode, IsNull};
use sqlx::error::BoxDynError;
use sqlx::types::Type;

use crate::TenantId;

impl<DB: Database, T: Type<DB>> Type<DB> for TenantId<T> {
    fn type_info() -> DB::TypeInfo {
        T::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        T::compatible(ty)
    }
}

impl<'q, DB: Database, T: Encode<'q, DB>> Encode<'q, DB> for TenantId<T> {
    fn encode(self, buf: &mut <DB as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        self.into_inner().encode(buf)
    }

    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        self.get().encode_by_ref(buf)
    }

    fn produces(&self) -> Option<DB::TypeInfo> {
        self.get().produces()
    }

    fn size_hint(&self) -> usize {
        self.get().size_hint()
    }
}

/// Reading a tenant id back from a row (e.g. a `tenant_id: TenantId` field of a `FromRow`
/// struct) wraps the stored value.
impl<'r, DB: Database, T: Decode<'r, DB>> Decode<'r, DB> for TenantId<T> {
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        T::decode(value).map(TenantId::new)
    }
}
