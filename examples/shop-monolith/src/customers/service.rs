//! Customer rules: unique e-mail addresses, one default address per customer.

use rusqlite::Connection;

use super::model::{Address, Customer, CustomerContact, CustomerUpdate, NewAddress, NewCustomer};
use super::repository;
use crate::common::{AppError, AppResult, Page, validation};

pub fn list(conn: &Connection, page: Page) -> AppResult<Vec<Customer>> {
    let (limit, offset) = page.resolve()?;
    Ok(repository::list(conn, limit, offset)?)
}

pub fn get(conn: &Connection, id: i64) -> AppResult<Customer> {
    repository::find(conn, id)?.ok_or_else(|| AppError::not_found(format!("customer {id}")))
}

pub fn register(conn: &Connection, input: NewCustomer) -> AppResult<Customer> {
    let customer = NewCustomer {
        email: validation::email(&input.email)?,
        name: validation::non_empty("name", &input.name)?,
    };
    if repository::find_by_email(conn, &customer.email)?.is_some() {
        return Err(AppError::conflict(format!(
            "{} is already registered",
            customer.email
        )));
    }
    let id = repository::insert(conn, &customer)?;
    get(conn, id)
}

pub fn update(conn: &Connection, id: i64, input: CustomerUpdate) -> AppResult<Customer> {
    let mut customer = get(conn, id)?;
    if let Some(email) = input.email {
        let email = validation::email(&email)?;
        if repository::find_by_email(conn, &email)?.is_some_and(|owner| owner != id) {
            return Err(AppError::conflict(format!("{email} is already registered")));
        }
        customer.email = email;
    }
    if let Some(name) = input.name {
        customer.name = validation::non_empty("name", &name)?;
    }
    repository::update(conn, &customer)?;
    Ok(customer)
}

pub fn addresses(conn: &Connection, customer_id: i64) -> AppResult<Vec<Address>> {
    get(conn, customer_id)?;
    Ok(repository::addresses(conn, customer_id)?)
}

pub fn add_address(
    conn: &mut Connection,
    customer_id: i64,
    input: NewAddress,
) -> AppResult<Address> {
    get(conn, customer_id)?;
    let existing = repository::addresses(conn, customer_id)?;
    let address = NewAddress {
        line1: validation::non_empty("line1", &input.line1)?,
        city: validation::non_empty("city", &input.city)?,
        postal_code: validation::non_empty("postal_code", &input.postal_code)?,
        country: validation::country(&input.country)?,
        // The first address is the default whatever the request says.
        is_default: input.is_default || existing.is_empty(),
    };
    let tx = conn.transaction()?;
    if address.is_default {
        repository::clear_default_address(&tx, customer_id)?;
    }
    let id = repository::insert_address(&tx, customer_id, &address)?;
    tx.commit()?;
    repository::find_address(conn, id)?
        .ok_or_else(|| AppError::Internal(format!("address {id} vanished")))
}

/// Public API: name and e-mail of a customer.
pub fn contact(conn: &Connection, customer_id: i64) -> AppResult<CustomerContact> {
    let customer = get(conn, customer_id)?;
    Ok(CustomerContact {
        id: customer.id,
        name: customer.name,
        email: customer.email,
    })
}

/// Public API: the address to ship to. `address_id` must belong to the customer; without it
/// the default address is used.
pub fn shipping_address(
    conn: &Connection,
    customer_id: i64,
    address_id: Option<i64>,
) -> AppResult<Address> {
    match address_id {
        Some(id) => match repository::find_address(conn, id)? {
            Some(address) if address.customer_id == customer_id => Ok(address),
            _ => Err(AppError::not_found(format!(
                "address {id} of customer {customer_id}"
            ))),
        },
        None => repository::addresses(conn, customer_id)?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::bad_request(format!("customer {customer_id} has no address"))),
    }
}
