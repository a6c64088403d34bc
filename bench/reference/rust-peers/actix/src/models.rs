use serde::Serialize;

#[allow(non_snake_case)]
#[derive(Serialize, Debug)]
pub struct World {
    pub id: i32,
    pub randomnumber: i32,
}

impl World {
    #[allow(dead_code)]
    pub fn new(id: i32, randomnumber: i32) -> Self {
        Self { id, randomnumber }
    }
}

#[allow(non_snake_case)]
#[derive(Serialize, Debug)]
pub struct Fortune {
    pub id: i32,
    pub message: String,
}
