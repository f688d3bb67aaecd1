//! Public market data (`/markets`, order books, trades, exchange status). The order book
//! accepts a signature but does not require one (kalshi-api.md §2.5).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::{bad_param, Params, Query, SimData};
use crate::kalshi::rest::{
    ExchangeStatus, Market, MarketOrderbook, MarketResponse, MarketsResponse, OrderbookResponse, OrderbooksResponse,
    TradesResponse,
};
use crate::sim::catalog::{page, MarketQuery};
use crate::sim::engine::EngineError;
use crate::sim::server::{engine_error, json, now_ms};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/markets", web::get().to(markets))
        .route("/markets/trades", web::get().to(trades))
        .route("/markets/orderbooks", web::get().to(orderbooks))
        .route("/markets/{ticker}", web::get().to(market))
        .route("/markets/{ticker}/orderbook", web::get().to(orderbook))
        .route("/exchange/status", web::get().to(status));
}

async fn markets(sim: SimData, q: Params) -> HttpResponse {
    if let Err(r) = sim.public_gate() {
        return r;
    }
    let q = Query::new(&q);
    let tickers = q.tickers.join(",");
    let query = match MarketQuery::parse(q.get("status"), Some(&tickers), q.get("event_ticker"), q.get("series_ticker"))
    {
        Ok(query) => query,
        Err(e) => return bad_param("GetMarkets", &e.to_string()),
    };
    let limit = match q.num::<u32>("GetMarkets", "limit") {
        Ok(l) => l,
        Err(r) => return r,
    };
    let list: Vec<Market> = {
        let st = sim.lock();
        let now = now_ms();
        query.select(&st.catalog, &st.engine).into_iter().map(|m| m.to_rest(&st.engine, now)).collect()
    };
    match page(&list, limit, q.get("cursor")) {
        Ok((markets, cursor)) => json(StatusCode::OK, &MarketsResponse { markets, cursor }),
        Err(e) => bad_param("GetMarkets", &e.to_string()),
    }
}

async fn market(sim: SimData, ticker: web::Path<String>) -> HttpResponse {
    if let Err(r) = sim.public_gate() {
        return r;
    }
    let found = {
        let st = sim.lock();
        st.catalog.iter().find(|m| m.ticker() == ticker.as_str()).map(|m| m.to_rest(&st.engine, now_ms()))
    };
    match found {
        Some(market) => json(StatusCode::OK, &MarketResponse { market }),
        None => engine_error(&EngineError::MarketNotFound(ticker.into_inner())),
    }
}

fn depth(q: &Query, endpoint: &str) -> Result<Option<usize>, HttpResponse> {
    // 0 or negative = all levels; 1–100 otherwise.
    match q.num::<i64>(endpoint, "depth")? {
        None => Ok(None),
        Some(d) if d <= 0 => Ok(None),
        Some(d) if d <= 100 => Ok(Some(d as usize)),
        Some(d) => Err(bad_param(endpoint, &format!("depth {d} is above 100"))),
    }
}

async fn orderbook(sim: SimData, ticker: web::Path<String>, q: Params) -> HttpResponse {
    if let Err(r) = sim.public_gate() {
        return r;
    }
    let q = Query::new(&q);
    let depth = match depth(&q, "GetMarketOrderbook") {
        Ok(d) => d,
        Err(r) => return r,
    };
    let book = sim.lock().engine.orderbook(&ticker, depth);
    match book {
        Ok(orderbook_fp) => json(StatusCode::OK, &OrderbookResponse { orderbook_fp }),
        Err(e) => engine_error(&e),
    }
}

async fn orderbooks(sim: SimData, q: Params) -> HttpResponse {
    if let Err(r) = sim.public_gate() {
        return r;
    }
    let q = Query::new(&q);
    if q.tickers.is_empty() || q.tickers.len() > 100 {
        return bad_param("GetMarketOrderbooks", "tickers must name 1 to 100 markets");
    }
    let st = sim.lock();
    let mut orderbooks = Vec::with_capacity(q.tickers.len());
    for t in &q.tickers {
        match st.engine.orderbook(t, None) {
            Ok(orderbook_fp) => orderbooks.push(MarketOrderbook { ticker: t.clone(), orderbook_fp }),
            Err(e) => return engine_error(&e),
        }
    }
    json(StatusCode::OK, &OrderbooksResponse { orderbooks })
}

async fn trades(sim: SimData, q: Params) -> HttpResponse {
    if let Err(r) = sim.public_gate() {
        return r;
    }
    let q = Query::new(&q);
    let all = sim.lock().engine.trades(q.get("ticker"));
    let limit = match q.num::<u32>("GetTrades", "limit") {
        Ok(l) => l,
        Err(r) => return r,
    };
    match page(&all, limit, q.get("cursor")) {
        Ok((trades, cursor)) => json(StatusCode::OK, &TradesResponse { trades, cursor }),
        Err(e) => bad_param("GetTrades", &e.to_string()),
    }
}

async fn status(sim: SimData) -> HttpResponse {
    if let Err(r) = sim.public_gate() {
        return r;
    }
    json(
        StatusCode::OK,
        &ExchangeStatus {
            exchange_active: true,
            trading_active: true,
            intra_exchange_transfers_active: Some(true),
            exchange_estimated_resume_time: None,
            exchange_index_statuses: None,
        },
    )
}
