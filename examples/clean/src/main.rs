fn main() {
    println!("shipping-api");
}
