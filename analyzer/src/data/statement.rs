//! What one parsed SQL statement reads, writes and defines.
//!
//! Reads are every table named in a query: FROM, JOIN, subqueries in any clause the walk
//! visits, CTE bodies (CTE names are not tables), and the source of INSERT .. SELECT.
//! Writes are the targets of INSERT / REPLACE / UPSERT, UPDATE, DELETE, MERGE and TRUNCATE.
//! Definitions are CREATE TABLE and foreign keys from CREATE TABLE and ALTER TABLE.
//!
//! The walk uses an explicit work list, so a deep expression (a chain of ten thousand `OR`s)
//! cannot overflow the stack. It deliberately does not look into expression kinds that rarely
//! hold a subquery (window specs, ORDER BY, LIMIT, RETURNING, MERGE clauses), into
//! table-valued functions, or into view or trigger bodies; it never resolves a table alias to
//! a schema other than the default.

use std::collections::{BTreeSet, HashMap};

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, CreateTable, Delete, Expr, FromTable,
    FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, Insert, ObjectName,
    ObjectNamePart, OnConflictAction, OnInsert, Query, Select, SelectItem, SetExpr, Statement,
    TableConstraint, TableFactor, TableObject, TableWithJoins, UpdateTableFromKind,
};

use super::literal::FORMAT_ARGUMENT;

/// Facts of one statement. Table names are normalised (see [`table_name`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct StatementFacts {
    pub(super) reads: BTreeSet<String>,
    pub(super) writes: BTreeSet<String>,
    /// Tables created, in order.
    pub(super) creates: Vec<String>,
    pub(super) foreign_keys: Vec<ForeignKeyFact>,
}

/// `from_table.column` references `to_table`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct ForeignKeyFact {
    pub(super) from_table: String,
    pub(super) column: String,
    pub(super) to_table: String,
}

pub(super) fn facts(statement: &Statement) -> StatementFacts {
    let mut walk = Walk::default();
    walk.stack.push(Node::Statement(statement));
    walk.run();
    let ctes = walk.ctes;
    let mut facts = StatementFacts {
        reads: walk
            .reads
            .into_iter()
            .filter(|name| !ctes.contains(name))
            .collect(),
        writes: walk
            .writes
            .into_iter()
            .filter(|name| !ctes.contains(name))
            .collect(),
        ..StatementFacts::default()
    };
    define(statement, &mut facts);
    facts
}

/// A table name as the model spells it: the last part of a qualified name (the schema is
/// dropped), unquoted identifiers lower-cased, quoted ones kept as written without quotes.
/// `None` for a name that came from a `format!` argument.
fn table_name(name: &ObjectName) -> Option<String> {
    let last = name.0.iter().rev().find_map(|part| match part {
        ObjectNamePart::Identifier(ident) => Some(ident),
        ObjectNamePart::Function(_) => None,
    })?;
    let normalised = ident_name(last);
    if normalised == FORMAT_ARGUMENT || normalised.is_empty() {
        return None;
    }
    Some(normalised)
}

fn ident_name(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// Tables and foreign keys a schema statement defines.
fn define(statement: &Statement, facts: &mut StatementFacts) {
    match statement {
        Statement::CreateTable(create) => define_table(create, facts),
        Statement::AlterTable {
            name, operations, ..
        } => {
            let Some(table) = table_name(name) else {
                return;
            };
            for operation in operations {
                match operation {
                    AlterTableOperation::AddConstraint { constraint, .. } => {
                        constraint_keys(&table, constraint, facts);
                    }
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        column_keys(&table, column_def, facts);
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn define_table(create: &CreateTable, facts: &mut StatementFacts) {
    let Some(table) = table_name(&create.name) else {
        return;
    };
    for column in &create.columns {
        column_keys(&table, column, facts);
    }
    for constraint in &create.constraints {
        constraint_keys(&table, constraint, facts);
    }
    facts.creates.push(table);
}

fn column_keys(table: &str, column: &ColumnDef, facts: &mut StatementFacts) {
    for option in &column.options {
        if let ColumnOption::ForeignKey { foreign_table, .. } = &option.option
            && let Some(to_table) = table_name(foreign_table)
        {
            facts.foreign_keys.push(ForeignKeyFact {
                from_table: table.to_owned(),
                column: ident_name(&column.name),
                to_table,
            });
        }
    }
}

fn constraint_keys(table: &str, constraint: &TableConstraint, facts: &mut StatementFacts) {
    if let TableConstraint::ForeignKey {
        columns,
        foreign_table,
        ..
    } = constraint
        && let Some(to_table) = table_name(foreign_table)
    {
        for column in columns {
            facts.foreign_keys.push(ForeignKeyFact {
                from_table: table.to_owned(),
                column: ident_name(column),
                to_table: to_table.clone(),
            });
        }
    }
}

/// A part of a statement still to visit.
enum Node<'a> {
    Statement(&'a Statement),
    Query(&'a Query),
    SetExpr(&'a SetExpr),
    Select(&'a Select),
    Tables(&'a TableWithJoins),
    Factor(&'a TableFactor),
    Expr(&'a Expr),
}

#[derive(Default)]
struct Walk<'a> {
    stack: Vec<Node<'a>>,
    reads: BTreeSet<String>,
    writes: BTreeSet<String>,
    ctes: BTreeSet<String>,
}

impl<'a> Walk<'a> {
    fn run(&mut self) {
        while let Some(node) = self.stack.pop() {
            match node {
                Node::Statement(statement) => self.statement(statement),
                Node::Query(query) => self.query(query),
                Node::SetExpr(set_expr) => self.set_expr(set_expr),
                Node::Select(select) => self.select(select),
                Node::Tables(tables) => self.tables(tables),
                Node::Factor(factor) => self.factor(factor),
                Node::Expr(expr) => self.expr(expr),
            }
        }
    }

    fn write(&mut self, name: &ObjectName) {
        if let Some(table) = table_name(name) {
            self.writes.insert(table);
        }
    }

    fn exprs(&mut self, exprs: impl IntoIterator<Item = &'a Expr>) {
        self.stack.extend(exprs.into_iter().map(Node::Expr));
    }

    fn statement(&mut self, statement: &'a Statement) {
        match statement {
            Statement::Query(query) => self.stack.push(Node::Query(query)),
            Statement::Insert(insert) => self.insert(insert),
            Statement::Update {
                table,
                assignments,
                from,
                selection,
                ..
            } => {
                self.target(table);
                if let Some(
                    UpdateTableFromKind::BeforeSet(from) | UpdateTableFromKind::AfterSet(from),
                ) = from
                {
                    self.stack.extend(from.iter().map(Node::Tables));
                }
                self.exprs(assignments.iter().map(|assignment| &assignment.value));
                self.exprs(selection);
            }
            Statement::Delete(delete) => self.delete(delete),
            Statement::Merge {
                table, source, on, ..
            } => {
                if let TableFactor::Table { name, .. } = table {
                    self.write(name);
                }
                self.stack.push(Node::Factor(source));
                self.stack.push(Node::Expr(on));
            }
            Statement::Truncate { table_names, .. } => {
                for target in table_names {
                    self.write(&target.name);
                }
            }
            Statement::CreateTable(create) => {
                if let Some(query) = &create.query {
                    self.stack.push(Node::Query(query));
                }
            }
            Statement::CreateView { query, .. } => self.stack.push(Node::Query(query)),
            _ => {}
        }
    }

    fn insert(&mut self, insert: &'a Insert) {
        if let TableObject::TableName(name) = &insert.table {
            self.write(name);
        }
        if let Some(source) = &insert.source {
            self.stack.push(Node::Query(source));
        }
        self.exprs(
            insert
                .assignments
                .iter()
                .map(|assignment| &assignment.value),
        );
        match &insert.on {
            Some(OnInsert::DuplicateKeyUpdate(assignments)) => {
                self.exprs(assignments.iter().map(|assignment| &assignment.value));
            }
            Some(OnInsert::OnConflict(conflict)) => {
                if let OnConflictAction::DoUpdate(update) = &conflict.action {
                    self.exprs(
                        update
                            .assignments
                            .iter()
                            .map(|assignment| &assignment.value),
                    );
                    self.exprs(&update.selection);
                }
            }
            _ => {}
        }
    }

    /// The written table of UPDATE; tables joined to it are read.
    fn target(&mut self, table: &'a TableWithJoins) {
        match &table.relation {
            TableFactor::Table { name, .. } => self.write(name),
            other => self.stack.push(Node::Factor(other)),
        }
        for join in &table.joins {
            self.stack.push(Node::Factor(&join.relation));
        }
    }

    fn delete(&mut self, delete: &'a Delete) {
        let from = match &delete.from {
            FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from) => from,
        };
        if delete.tables.is_empty() {
            // `DELETE FROM t [JOIN ..]`: the first table is the target.
            for tables in from {
                self.target(tables);
            }
        } else {
            // MySQL `DELETE a, b FROM t1 AS a JOIN t2 AS b ..`: targets may be aliases.
            let mut aliases = HashMap::new();
            for tables in from {
                let factors = std::iter::once(&tables.relation)
                    .chain(tables.joins.iter().map(|join| &join.relation));
                for factor in factors {
                    if let TableFactor::Table {
                        name,
                        alias: Some(alias),
                        ..
                    } = factor
                        && let Some(table) = table_name(name)
                    {
                        aliases.insert(ident_name(&alias.name), table);
                    }
                }
                self.stack.push(Node::Tables(tables));
            }
            for name in &delete.tables {
                if let Some(written) = table_name(name) {
                    let table = aliases.get(&written).cloned().unwrap_or(written);
                    self.writes.insert(table);
                }
            }
        }
        if let Some(using) = &delete.using {
            self.stack.extend(using.iter().map(Node::Tables));
        }
        self.exprs(&delete.selection);
    }

    fn query(&mut self, query: &'a Query) {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(ident_name(&cte.alias.name));
                self.stack.push(Node::Query(&cte.query));
            }
        }
        self.stack.push(Node::SetExpr(&query.body));
    }

    fn set_expr(&mut self, set_expr: &'a SetExpr) {
        match set_expr {
            SetExpr::Select(select) => self.stack.push(Node::Select(select)),
            SetExpr::Query(query) => self.stack.push(Node::Query(query)),
            SetExpr::SetOperation { left, right, .. } => {
                self.stack.push(Node::SetExpr(left));
                self.stack.push(Node::SetExpr(right));
            }
            SetExpr::Values(values) => self.exprs(values.rows.iter().flatten()),
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement)
            | SetExpr::Merge(statement) => self.stack.push(Node::Statement(statement)),
            SetExpr::Table(table) => {
                if let Some(name) = &table.table_name {
                    self.reads.insert(name.to_lowercase());
                }
            }
        }
    }

    fn select(&mut self, select: &'a Select) {
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                    self.stack.push(Node::Expr(expr));
                }
                SelectItem::QualifiedWildcard(..) | SelectItem::Wildcard(_) => {}
            }
        }
        self.stack.extend(select.from.iter().map(Node::Tables));
        self.exprs(&select.prewhere);
        self.exprs(&select.selection);
        if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
            self.exprs(exprs);
        }
        self.exprs(&select.having);
        self.exprs(&select.qualify);
    }

    fn tables(&mut self, tables: &'a TableWithJoins) {
        self.stack.push(Node::Factor(&tables.relation));
        for join in &tables.joins {
            self.stack.push(Node::Factor(&join.relation));
            if let Some(on) = join_condition(&join.join_operator) {
                self.stack.push(Node::Expr(on));
            }
        }
    }

    fn factor(&mut self, factor: &'a TableFactor) {
        match factor {
            // With `args` it is a table-valued function, not a table.
            TableFactor::Table {
                name, args: None, ..
            } => {
                if let Some(table) = table_name(name) {
                    self.reads.insert(table);
                }
            }
            TableFactor::Derived { subquery, .. } => self.stack.push(Node::Query(subquery)),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                self.stack.push(Node::Tables(table_with_joins));
            }
            TableFactor::Pivot { table, .. }
            | TableFactor::Unpivot { table, .. }
            | TableFactor::MatchRecognize { table, .. } => self.stack.push(Node::Factor(table)),
            _ => {}
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Subquery(query)
            | Expr::Exists {
                subquery: query, ..
            } => {
                self.stack.push(Node::Query(query));
            }
            Expr::InSubquery { expr, subquery, .. } => {
                self.stack.push(Node::Expr(expr));
                self.stack.push(Node::Query(subquery));
            }
            Expr::IsFalse(inner)
            | Expr::IsNotFalse(inner)
            | Expr::IsTrue(inner)
            | Expr::IsNotTrue(inner)
            | Expr::IsNull(inner)
            | Expr::IsNotNull(inner)
            | Expr::IsUnknown(inner)
            | Expr::IsNotUnknown(inner)
            | Expr::Nested(inner)
            | Expr::UnaryOp { expr: inner, .. }
            | Expr::Cast { expr: inner, .. }
            | Expr::Collate { expr: inner, .. }
            | Expr::Named { expr: inner, .. }
            | Expr::Extract { expr: inner, .. }
            | Expr::Convert { expr: inner, .. } => self.stack.push(Node::Expr(inner)),
            Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right)
            | Expr::BinaryOp { left, right, .. }
            | Expr::AnyOp { left, right, .. }
            | Expr::AllOp { left, right, .. }
            | Expr::Like {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::ILike {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::SimilarTo {
                expr: left,
                pattern: right,
                ..
            }
            | Expr::RLike {
                expr: left,
                pattern: right,
                ..
            } => {
                self.stack.push(Node::Expr(left));
                self.stack.push(Node::Expr(right));
            }
            Expr::InList { expr, list, .. } => {
                self.stack.push(Node::Expr(expr));
                self.exprs(list);
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.exprs([&**expr, &**low, &**high]);
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                self.exprs(operand.as_deref());
                for when in conditions {
                    self.exprs([&when.condition, &when.result]);
                }
                self.exprs(else_result.as_deref());
            }
            Expr::Function(function) => {
                self.function_arguments(&function.parameters);
                self.function_arguments(&function.args);
                self.exprs(function.filter.as_deref());
            }
            Expr::Tuple(exprs) => self.exprs(exprs),
            Expr::Array(array) => self.exprs(&array.elem),
            Expr::GroupingSets(sets) | Expr::Cube(sets) | Expr::Rollup(sets) => {
                self.exprs(sets.iter().flatten());
            }
            _ => {}
        }
    }

    fn function_arguments(&mut self, arguments: &'a FunctionArguments) {
        match arguments {
            FunctionArguments::None => {}
            FunctionArguments::Subquery(query) => self.stack.push(Node::Query(query)),
            FunctionArguments::List(list) => {
                for argument in &list.args {
                    let (FunctionArg::Named { arg, .. }
                    | FunctionArg::ExprNamed { arg, .. }
                    | FunctionArg::Unnamed(arg)) = argument;
                    if let FunctionArgExpr::Expr(expr) = arg {
                        self.stack.push(Node::Expr(expr));
                    }
                }
            }
        }
    }
}

fn join_condition(operator: &sqlparser::ast::JoinOperator) -> Option<&Expr> {
    use sqlparser::ast::{JoinConstraint, JoinOperator};
    let constraint = match operator {
        JoinOperator::Join(constraint)
        | JoinOperator::Inner(constraint)
        | JoinOperator::Left(constraint)
        | JoinOperator::LeftOuter(constraint)
        | JoinOperator::Right(constraint)
        | JoinOperator::RightOuter(constraint)
        | JoinOperator::FullOuter(constraint)
        | JoinOperator::CrossJoin(constraint)
        | JoinOperator::Semi(constraint)
        | JoinOperator::LeftSemi(constraint)
        | JoinOperator::RightSemi(constraint)
        | JoinOperator::Anti(constraint)
        | JoinOperator::LeftAnti(constraint)
        | JoinOperator::RightAnti(constraint)
        | JoinOperator::StraightJoin(constraint) => constraint,
        JoinOperator::AsOf { constraint, .. } => constraint,
        _ => return None,
    };
    match constraint {
        JoinConstraint::On(expr) => Some(expr),
        _ => None,
    }
}
