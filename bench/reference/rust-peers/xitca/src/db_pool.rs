use xitca_postgres::{Execute, pool::Pool};

use super::{
    db::Exec,
    ser::{Fortunes, World},
    util::{HandleResult, db_url, pool_capacity},
};

pub struct Client {
    pool: Pool,
    exec: Exec,
}

impl Client {
    /// `None` without `DATABASE_URL`: then the db routes are not served.
    pub async fn create() -> HandleResult<Option<Self>> {
        let Some(url) = db_url() else {
            return Ok(None);
        };
        let mut pool = Pool::builder(url.as_str());

        // The entry's `#[cfg(feature = "compio")] pool.connector(crate::CompIoConnector)`: both binaries
        // are built with the same features here, so each says which connector it uses.
        pool = crate::with_connector(pool);

        pool = pool.capacity(pool_capacity());

        Ok(Some(Self {
            pool: pool.build()?,
            exec: Default::default(),
        }))
    }

    pub async fn db(&self) -> HandleResult<World> {
        let mut conn = self.pool.get().await?;
        let stmt = Exec::WORLD_STMT.execute(&mut conn).await?;
        self.exec.db(conn, &stmt).await
    }

    pub async fn queries(&self, num: u16) -> HandleResult<Vec<World>> {
        let mut conn = self.pool.get().await?;
        let stmt = Exec::WORLD_STMT.execute(&mut conn).await?;
        self.exec.queries(conn, &stmt, num).await
    }

    pub async fn updates(&self, num: u16) -> HandleResult<Vec<World>> {
        let mut conn = self.pool.get().await?;
        let world_stmt = Exec::WORLD_STMT.execute(&mut conn).await?;
        let update_stmt = Exec::UPDATE_STMT.execute(&mut conn).await?;
        self.exec.updates(conn, &world_stmt, &update_stmt, num).await
    }

    pub async fn fortunes(&self) -> HandleResult<Fortunes> {
        let mut conn = self.pool.get().await?;
        let stmt = Exec::FORTUNE_STMT.execute(&mut conn).await?;
        Exec::fortunes(conn, &stmt).await
    }
}
