//! Evaluates the closed forms the metric test vectors write in their `exact` tables, such as
//! `"2/9"`, `"(1+ln100)/(7+ln100)"` or `"(2+h)/m - (32+(4+2h)^2)/(4m^2), h=1+ln100, m=7+ln100"`,
//! so that the test can check them too.
//!
//! Just enough arithmetic for those strings: numbers, `+ - * / ^`, parentheses, implicit
//! products (`2h`, `4m^2`, `2(...)`), `lnN` for the natural log, and `, name=expr` bindings.
//! An `a = b` form yields both sides. Anything else is an error, never a guess.

use std::collections::HashMap;

/// The values a closed form states: one, or two for `left = right`.
pub fn evaluate(text: &str) -> Result<Vec<f64>, String> {
    let mut parts = text.split(", ");
    let formula = parts.next().unwrap_or_default();
    let mut bindings = HashMap::new();
    for binding in parts {
        let (name, expression) = binding
            .split_once('=')
            .ok_or_else(|| format!("binding without '=' in {text:?}"))?;
        let value = Parser::new(expression, &bindings).whole()?;
        bindings.insert(name.trim().to_string(), value);
    }
    formula
        .split('=')
        .map(|side| Parser::new(side, &bindings).whole())
        .collect()
}

struct Parser<'a> {
    chars: Vec<char>,
    position: usize,
    bindings: &'a HashMap<String, f64>,
}

impl<'a> Parser<'a> {
    fn new(text: &str, bindings: &'a HashMap<String, f64>) -> Self {
        Self {
            chars: text.chars().filter(|c| !c.is_whitespace()).collect(),
            position: 0,
            bindings,
        }
    }

    fn whole(mut self) -> Result<f64, String> {
        let value = self.sum()?;
        match self.peek() {
            None => Ok(value),
            Some(c) => Err(format!("unexpected {c:?} at {}", self.position)),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn sum(&mut self) -> Result<f64, String> {
        let mut value = self.product()?;
        while let Some(operator @ ('+' | '-')) = self.peek() {
            self.position += 1;
            let right = self.product()?;
            value = if operator == '+' {
                value + right
            } else {
                value - right
            };
        }
        Ok(value)
    }

    fn product(&mut self) -> Result<f64, String> {
        let mut value = self.signed()?;
        loop {
            match self.peek() {
                Some('*') => {
                    self.position += 1;
                    value *= self.signed()?;
                }
                Some('/') => {
                    self.position += 1;
                    value /= self.signed()?;
                }
                // Implicit product: `2h`, `4m^2`, `2(2+h)`.
                Some(c) if c == '(' || c.is_ascii_alphabetic() => value *= self.power()?,
                _ => return Ok(value),
            }
        }
    }

    fn signed(&mut self) -> Result<f64, String> {
        if self.peek() == Some('-') {
            self.position += 1;
            return Ok(-self.signed()?);
        }
        self.power()
    }

    fn power(&mut self) -> Result<f64, String> {
        let base = self.atom()?;
        if self.peek() == Some('^') {
            self.position += 1;
            let exponent = self.signed()?;
            return Ok(base.powf(exponent));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<f64, String> {
        match self.peek() {
            Some('(') => {
                self.position += 1;
                let value = self.sum()?;
                if self.peek() != Some(')') {
                    return Err(format!("missing ')' at {}", self.position));
                }
                self.position += 1;
                Ok(value)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.position;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.position += 1;
                }
                let digits: String = self.chars[start..self.position].iter().collect();
                digits
                    .parse()
                    .map_err(|error| format!("{digits:?}: {error}"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.position;
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.position += 1;
                }
                let name: String = self.chars[start..self.position].iter().collect();
                if name == "ln" {
                    return Ok(self.atom()?.ln());
                }
                self.bindings
                    .get(&name)
                    .copied()
                    .ok_or_else(|| format!("unknown name {name:?}"))
            }
            other => Err(format!("unexpected {other:?} at {}", self.position)),
        }
    }
}
