//! New catalog entries: a drug new to the hospital (what a ring adopts) and a VBP generic
//! that replaces a brand. Real generic names not in the base dictionary.

use rand::Rng;

use super::super::super::catalog::{self, Drug};
use super::super::super::names::{Class, MANUFACTURERS};
use super::Ctx;

/// Oral drugs a hospital might newly list (新进药品), by class.
const NEW_DRUGS: &[(Class, &str)] = &[
    (Class::Cardio, "依折麦布片"),
    (Class::Cardio, "盐酸伊伐布雷定片"),
    (Class::Cardio, "阿利沙坦酯片"),
    (Class::Resp, "福多司坦片"),
    (Class::Resp, "茚达特罗格隆溴铵吸入粉雾剂"),
    (Class::Gi, "艾普拉唑肠溶片"),
    (Class::Gi, "瑞巴派特片"),
    (Class::Gi, "复方阿嗪米特肠溶片"),
    (Class::Neuro, "胞磷胆碱钠片"),
    (Class::Neuro, "奥卡西平片"),
    (Class::Neuro, "吡拉西坦片"),
    (Class::Endo, "利格列汀片"),
    (Class::Endo, "卡格列净片"),
    (Class::Pain, "艾瑞昔布片"),
    (Class::Pain, "依托考昔片"),
    (Class::Peds, "匹多莫德口服溶液"),
    (Class::Peds, "细菌溶解产物胶囊"),
    (Class::Onco, "甲磺酸阿帕替尼片"),
    (Class::Onco, "盐酸安罗替尼胶囊"),
    (Class::Patent, "参松养心胶囊"),
    (Class::Patent, "心可舒片"),
    (Class::Patent, "银杏蜜环口服溶液"),
    (Class::General, "辅酶Q10胶囊"),
    (Class::General, "复合维生素B片"),
];

/// A new, dear (not tendered) drug of `class` (or a general one) from some manufacturer.
pub fn new_drug(cx: &mut Ctx, class: Class) -> Option<Drug> {
    let free = |c: Class| -> Vec<(Class, &'static str)> {
        NEW_DRUGS.iter().copied().filter(|&(k, n)| k == c && !cx.taken.names.contains(n)).collect()
    };
    let mut c = free(class);
    if c.is_empty() {
        c = free(Class::General);
    }
    let (class, name) = *c.get(cx.rng.gen_range(0..c.len().max(1)))?;
    cx.taken.names.insert(name);
    let maker = MANUFACTURERS[cx.rng.gen_range(0..MANUFACTURERS.len())];
    let mut d = catalog::drug(&mut cx.rng, class, name, 0, None, None, maker);
    d.price.0 = d.price.0 * 3 / 2;
    Some(d)
}

/// A VBP generic of `brand` from a third manufacturer, priced like the tender winner.
pub fn generic_of(cx: &mut Ctx, brand: usize, winner: usize) -> Drug {
    let h = cx.h;
    let (b, w) = (&h.drugs[brand], &h.drugs[winner]);
    let makers: Vec<&'static str> =
        MANUFACTURERS.iter().copied().filter(|m| *m != b.manufacturer && *m != w.manufacturer).collect();
    let maker = makers[cx.rng.gen_range(0..makers.len())];
    let flags = names_flags(w.essential, true);
    let mut d = catalog::drug(&mut cx.rng, b.class, &b.name, flags, b.abx, b.controlled, maker);
    d.injection = b.injection;
    d.pack_days = b.pack_days;
    d.price.0 = ((w.price.0 as f64) * cx.rng.gen_range(0.7..1.0)).round().max(1.0) as i64;
    d
}

fn names_flags(essential: bool, vbp: bool) -> u8 {
    use super::super::super::names::{E, V};
    (if essential { E } else { 0 }) | (if vbp { V } else { 0 })
}
