"""What the demo is made of: invented brands and stores, the category tree, product lines, people.

Pure data, no database: `seed.py` turns it into rows through the services. Product names are expanded from
each line's template (`{a}`, `{b}`, `{c}` take the values listed for them), so the catalogue reads like a real
shop's without anyone typing 240 names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "tribe-demo-2024"  # every demo login uses it; printed by `tribe demo`


@dataclass(frozen=True)
class BrandSpec:
    slug: str
    name: str
    kind: str  # hub | flagship | content
    tagline: str
    story: str
    parent: str = ""
    news: tuple[tuple[str, str], ...] = ()
    video: tuple[str, str] = ("", "")  # (url, caption)
    staff: tuple[str, ...] = ("owner", "operator")


@dataclass(frozen=True)
class StoreSpec:
    slug: str
    brand: str
    name: str
    description: str


BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec(
        "nuanyang",
        "暖阳母婴集团",
        "hub",
        "陪伴每个家庭走过孕育的第一千天",
        "暖阳母婴集团2009年创立于杭州，从一家社区母婴店起步，如今旗下有「暖阳宝贝」「暖阳孕妈」「小暖玩具」"
        "三个品牌，在官方商城和品牌直营店同时销售。我们相信好的母婴用品应当让新手父母少操一份心：每一款奶粉"
        "都有批次检测报告，每一件贴身衣物都经过A类婴幼儿标准检测。",
        news=(
            (
                "暖阳母婴集团发布《新手父母第一年》公益手册",
                "手册覆盖孕期准备、新生儿护理与辅食添加，在各门店免费领取。",
            ),
            (
                "暖阳宝贝奶粉新工厂通过婴幼儿配方乳粉生产许可审查",
                "新工厂位于内蒙古牧场带，实现从牧场到罐装的全程可追溯。",
            ),
            ("「暖阳妈妈课堂」第100期线下活动在杭州举办", "本期主题是新生儿洗澡与抚触，共有86个家庭参加。"),
        ),
        video=("https://example.com/videos/nuanyang-brand-film", "品牌片：暖阳的第一千天"),
    ),
    BrandSpec(
        "nuanyang-baby",
        "暖阳宝贝",
        "flagship",
        "宝宝吃的用的，都按自家孩子的标准来",
        "暖阳宝贝专注婴幼儿喂养与护理：配方奶粉、纸尿裤、奶瓶和辅食工具。每一罐奶粉都可以扫码查到奶源牧场和检测报告。",
        parent="nuanyang",
        staff=("operator",),
        news=(("暖阳宝贝纸尿裤「云柔」系列升级", "新版表层采用3D透气孔设计，夜间回渗量降低。"),),
    ),
    BrandSpec(
        "nuanyang-mama",
        "暖阳孕妈",
        "flagship",
        "从孕早期到哺乳期，穿得舒服，用得安心",
        "暖阳孕妈为准妈妈和新手妈妈设计孕妇装、防辐射服、哺乳内衣和待产用品，版型按孕期身形变化分阶段打版。",
        parent="nuanyang",
        staff=("operator",),
        news=(("待产包清单2025版发布", "根据500位妈妈的反馈精简了清单，去掉了用不上的物品。"),),
    ),
    BrandSpec(
        "xiaonuan-toys",
        "小暖玩具",
        "flagship",
        "在玩中长大",
        "小暖玩具做0-6岁的早教玩具，木制玩具选用榉木和水性漆，布书和牙胶通过食品级材料检测。",
        parent="nuanyang",
        staff=("operator",),
    ),
    BrandSpec(
        "mianduo",
        "棉朵童装",
        "flagship",
        "一朵棉花的温柔，给宝宝的第一件衣服",
        "棉朵童装只做婴童贴身衣物。我们和新疆长绒棉农场合作十年，坚持A类标准、无荧光剂、无甲醛，"
        "每件连体衣都在领口和裆部做了加固，方便新手爸妈单手穿脱。",
        news=(
            ("棉朵童装秋冬新品上线", "新增竹纤维睡袋和加厚连体衣，适合北方暖气房。"),
            ("棉朵与新疆棉田的十年", "我们记录了一朵棉花从采摘到成衣的全过程。"),
        ),
        video=("https://example.com/videos/mianduo-cotton-field", "从棉田到衣橱"),
    ),
    BrandSpec(
        "suyanji",
        "素颜集",
        "flagship",
        "温和有效，孕期和敏感肌也能放心用",
        "素颜集是一个专注温和护肤的国货品牌，配方避开酒精、香精和常见致敏成分，多款产品通过孕妇适用性测试。",
        news=(
            ("素颜集积雪草系列获敏感肌测试认证", "连续28天使用测试中，受试者泛红情况明显改善。"),
            ("夏季防晒指南：SPF和PA怎么选", "通勤、户外和海边，防晒需求各不相同。"),
        ),
        video=("https://example.com/videos/suyanji-lab", "走进素颜集研发实验室"),
    ),
    BrandSpec(
        "qingyu",
        "轻语女装",
        "flagship",
        "通勤、约会、带娃，一件就够",
        "轻语女装面向25-40岁的城市女性，设计简洁耐穿的连衣裙、衬衫和外套，面料以棉麻、真丝和针织为主。",
        news=(("轻语春夏连衣裙系列发布", "本季主打法式碎花和桔梗裙，共32个款式。"),),
        video=("https://example.com/videos/qingyu-lookbook", "春夏穿搭 Lookbook"),
    ),
    BrandSpec(
        "qimu",
        "栖木家居",
        "flagship",
        "把家过成喜欢的样子",
        "栖木家居做家纺、杯壶和收纳，主张少而好的生活方式。床品选用长绒棉和水洗棉，保温杯采用316不锈钢内胆。",
        news=(
            ("栖木保温杯通过24小时保温测试", "在室温20℃下，95℃热水24小时后仍保持在52℃以上。"),
            ("换季收纳的五个小技巧", "真空压缩袋并不适合羽绒被，原因在这里。"),
        ),
        video=("https://example.com/videos/qimu-home-tour", "栖木的家：一室一厅改造记"),
    ),
    BrandSpec(
        "yuedong",
        "跃动运动",
        "flagship",
        "每一步都算数",
        "跃动运动是一家专注跑步和户外的运动品牌，跑鞋由跑者参与测试，儿童运动鞋按足弓发育阶段设计。",
        news=(("跃动城市夜跑团招募", "每周三晚在上海、成都、西安三地同步开跑，欢迎报名。"),),
        video=("https://example.com/videos/yuedong-night-run", "城市夜跑纪录片"),
    ),
    BrandSpec(
        "warm-home-drama",
        "《温暖的家》剧中同款",
        "content",
        "剧里的温暖，家里也可以有",
        "都市家庭剧《温暖的家》讲述一对新手父母和两家老人在同一屋檐下的第一年。这里收录了剧中出现的好物，"
        "每一件都标注了出现的集数和场景，点进去就能在售卖店铺购买。",
        news=(
            ("《温暖的家》第二季开机", "原班人马回归，新一季聚焦二胎家庭。"),
            ("剧中同款清单更新到第24集", "新增林妈妈厨房里的保温杯和小宝的连体衣。"),
        ),
        video=("https://example.com/videos/warm-home-trailer", "《温暖的家》预告片"),
    ),
    BrandSpec(
        "parenting-weekly",
        "《育儿周刊》编辑推荐",
        "content",
        "编辑部亲测，好用才推荐",
        "《育儿周刊》创刊于2006年。编辑部每月实测几十款母婴用品，这里是我们真正愿意推荐给朋友的那些。",
        news=(("本月实测：8款纸尿裤吸水性对比", "我们用同样的方法测试了吸水速度和回渗量。"),),
    ),
)

STORES: tuple[StoreSpec, ...] = (
    StoreSpec(
        "nuanyang-official",
        "nuanyang",
        "暖阳母婴官方商城",
        "暖阳母婴集团官方商城，暖阳宝贝、暖阳孕妈、小暖玩具全系列在售。",
    ),
    StoreSpec(
        "nuanyang-baby-store",
        "nuanyang-baby",
        "暖阳宝贝直营店",
        "暖阳宝贝品牌直营，奶粉批次新鲜，支持扫码溯源。",
    ),
    StoreSpec(
        "nuanyang-mama-store",
        "nuanyang-mama",
        "暖阳孕妈专营店",
        "孕妇装、哺乳用品和待产包，孕期各阶段一站配齐。",
    ),
    StoreSpec("mianduo-flagship", "mianduo", "棉朵童装旗舰店", "A类婴童贴身衣物，0-3岁宝宝的衣橱。"),
    StoreSpec("suyanji-flagship", "suyanji", "素颜集官方旗舰店", "温和护肤与彩妆，敏感肌和孕期可用。"),
    StoreSpec("qingyu-flagship", "qingyu", "轻语女装旗舰店", "简洁耐穿的通勤女装。"),
    StoreSpec("qimu-flagship", "qimu", "栖木家居旗舰店", "家纺、杯壶与收纳。"),
    StoreSpec("yuedong-flagship", "yuedong", "跃动运动旗舰店", "跑鞋、运动服和户外装备。"),
)

# Which stores sell a brand's products; a hub's sub-brands sell both in the group's store and their own.
BRAND_STORES: dict[str, tuple[str, ...]] = {
    "nuanyang-baby": ("nuanyang-baby-store", "nuanyang-official"),
    "nuanyang-mama": ("nuanyang-mama-store", "nuanyang-official"),
    "xiaonuan-toys": ("nuanyang-official", "nuanyang-baby-store"),
    "mianduo": ("mianduo-flagship",),
    "suyanji": ("suyanji-flagship",),
    "qingyu": ("qingyu-flagship",),
    "qimu": ("qimu-flagship",),
    "yuedong": ("yuedong-flagship",),
}

# (slug, name, parent slug)
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("muying", "母婴", ""),
    ("naifen", "奶粉", "muying"),
    ("niaoku", "纸尿裤", "muying"),
    ("weiyang", "喂养用品", "muying"),
    ("tongzhuang", "童装", "muying"),
    ("yunfuzhuang", "孕妇装", "muying"),
    ("yunchan", "孕产用品", "muying"),
    ("wanju", "玩具早教", "muying"),
    ("meizhuang", "美妆", ""),
    ("hufu", "护肤", "meizhuang"),
    ("caizhuang", "彩妆", "meizhuang"),
    ("fushi", "服饰", ""),
    ("nvzhuang", "女装", "fushi"),
    ("peishi", "配饰", "fushi"),
    ("jiaju", "家居", ""),
    ("jiafang", "家纺", "jiaju"),
    ("beihu", "杯壶厨具", "jiaju"),
    ("shouna", "收纳", "jiaju"),
    ("yundong", "运动", ""),
    ("paoxie", "运动鞋", "yundong"),
    ("yundongfu", "运动服", "yundong"),
    ("huwai", "户外装备", "yundong"),
)

# Colour hues (0-360) per top-level category, for the placeholder images.
CATEGORY_HUES = {"muying": 25, "meizhuang": 340, "fushi": 270, "jiaju": 160, "yundong": 205}


@dataclass(frozen=True)
class Line:
    """A product line: a name template filled from `a`/`b`/`c` (a part may name its own price range,
    "电动吸奶器 双边|399-699"), option axes (value or "value|price factor"), and the default price range."""

    brand: str
    category: str
    label: str  # what the placeholder image shows, e.g. 奶粉
    name: str
    a: tuple[str, ...] = ("",)
    b: tuple[str, ...] = ("",)
    c: tuple[str, ...] = ("",)
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    price: tuple[int, int] = (59, 199)
    subtitles: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


SIZES_BABY = ("52", "59", "66", "73", "80", "90")
SIZES_KID = ("90", "100", "110", "120", "130")
SIZES_WOMEN = ("S", "M", "L", "XL")
SIZES_SHOE = ("36", "37", "38", "39", "40", "41", "42", "43", "44")
COLORS_BABY = ("米白", "浅粉", "雾蓝", "燕麦", "奶黄")
COLORS = ("黑色", "白色", "雾霾蓝", "燕麦色", "酒红", "墨绿")

# Ordered per brand by importance: a small seed (tests) takes the first lines of every brand.
LINES: tuple[Line, ...] = (
    # 暖阳宝贝
    Line(
        "nuanyang-baby",
        "naifen",
        "奶粉",
        "暖阳宝贝{a}婴儿配方奶粉 {b}",
        a=("有机", "A2蛋白", "金装", "低敏水解", "羊奶", "益生菌"),
        b=("1段", "2段", "3段"),
        options=(("规格", ("400g", "800g|1.85", "800g×3罐|5.2")),),
        price=(158, 268),
        subtitles=("奶源来自北纬40°牧场", "添加OPO结构脂和乳铁蛋白", "扫码可查每罐批次检测报告"),
        details=(
            "按国家婴幼儿配方乳粉新国标配方注册。",
            "冲调时请使用40-50℃温开水，现冲现喝。",
            "罐内附量勺，开罐后请在4周内食用完毕。",
        ),
    ),
    Line(
        "nuanyang-baby",
        "niaoku",
        "纸尿裤",
        "暖阳宝贝{a}纸尿裤",
        a=("云柔", "轻薄透气", "夜用加厚", "超薄干爽", "丝滑柔软"),
        options=(("尺码", ("NB", "S", "M|1.05", "L|1.1", "XL|1.15", "XXL|1.2")),),
        price=(79, 139),
        subtitles=("3D透气孔，夜间不闷", "瞬吸不回渗", "弱酸性亲肤表层"),
        details=("表层采用弱酸性无纺布，贴近宝宝皮肤的pH值。", "尿显线变色提醒更换。"),
    ),
    Line(
        "nuanyang-baby",
        "niaoku",
        "拉拉裤",
        "暖阳宝贝{a}拉拉裤",
        a=("学步", "云柔", "夜安"),
        options=(("尺码", ("L", "XL|1.05", "XXL|1.1", "XXXL|1.15")),),
        price=(89, 149),
        subtitles=("像小内裤一样穿脱", "360°弹力腰围"),
        details=("适合学步期宝宝，站着也能换。",),
    ),
    Line(
        "nuanyang-baby",
        "weiyang",
        "奶瓶",
        "暖阳宝贝{a}奶瓶 {b}",
        a=("宽口径玻璃", "防胀气PPSU", "新生儿硅胶"),
        b=("160ml", "240ml", "300ml"),
        options=(("颜色", ("透明", "浅粉", "雾蓝")),),
        price=(69, 159),
        subtitles=("仿母乳奶嘴，减少乳头混淆", "底部进气防胀气"),
        details=("可高温蒸汽消毒。", "奶嘴建议每2-3个月更换一次。"),
    ),
    Line(
        "nuanyang-baby",
        "weiyang",
        "喂养",
        "暖阳宝贝{a}",
        a=(
            "电动吸奶器 双边|399-699",
            "电动吸奶器 单边|259-399",
            "婴儿辅食研磨碗套装|39-69",
            "硅胶软勺 2支装|19-39",
            "婴儿湿巾 80抽×6包|39-59",
            "恒温调奶器|199-299",
            "温奶器 消毒器二合一|159-259",
            "奶粉盒 便携分装|25-45",
            "婴儿辅食机 蒸煮搅拌|259-459",
        ),
        price=(29, 399),
        subtitles=("新手爸妈省心之选", "食品级材质"),
        details=("与食物接触的部件均为食品级材料。", "详细使用方法见包装内说明书。"),
    ),
    Line(
        "nuanyang-baby",
        "naifen",
        "米粉",
        "暖阳宝贝{a}婴儿营养米粉 {b}",
        a=("高铁", "原味", "淮山", "南瓜"),
        b=("225g", "450g"),
        price=(39, 89),
        subtitles=("6个月以上宝宝的第一口辅食",),
        details=("不添加白砂糖和食用盐。",),
    ),
    # 小暖玩具
    Line(
        "xiaonuan-toys",
        "wanju",
        "玩具",
        "小暖玩具{a}",
        a=(
            "婴儿安抚布书 6本套|49-89",
            "榉木积木 100粒|99-169",
            "早教点读笔|199-399",
            "婴儿健身架 脚踏钢琴|129-229",
            "摇铃牙胶套装|39-79",
            "洗澡戏水玩具 小鸭子|25-49",
            "儿童拼图 恐龙世界|39-69",
            "木质形状配对盒|49-89",
            "儿童绘画白板 磁性|69-129",
            "音乐手拍鼓|49-99",
        ),
        price=(39, 299),
        subtitles=("0-3岁早教启蒙", "食品级材质，宝宝放嘴里也放心"),
        details=("适用年龄见包装标识，小零件请在家长看护下使用。", "木制部件采用榉木和水性漆。"),
    ),
    Line(
        "xiaonuan-toys",
        "wanju",
        "玩具",
        "小暖玩具{a}儿童{b}",
        a=("智能", "经典", "入门"),
        b=("平衡车", "滑板车", "三轮车"),
        options=(("颜色", ("薄荷绿", "樱花粉", "天空蓝")),),
        price=(199, 599),
        subtitles=("锻炼平衡感",),
        details=("建议佩戴头盔在平整路面使用。",),
    ),
    # 暖阳孕妈
    Line(
        "nuanyang-mama",
        "yunfuzhuang",
        "防辐射",
        "暖阳孕妈孕妇防辐射服 银纤维 {a}",
        a=("吊带款", "马甲款", "四季款", "肚兜款", "连衣裙款"),
        options=(("颜色", ("银灰", "浅粉", "藕荷")), ("尺码", ("M", "L", "XL"))),
        price=(199, 459),
        subtitles=("银纤维面料，可机洗", "孕早期到孕晚期都能穿"),
        details=("面料含银纤维，建议使用中性洗涤剂轻柔洗涤。", "宽松版型，预留孕肚空间。"),
    ),
    Line(
        "nuanyang-mama",
        "yunfuzhuang",
        "孕妇装",
        "暖阳孕妈孕妇{a}",
        a=(
            "连衣裙 夏季",
            "连衣裙 春秋",
            "打底裤 托腹",
            "哺乳文胸 无钢圈",
            "睡衣 月子服",
            "孕妇裤 阔腿",
            "哺乳卫衣",
            "孕妇内裤 低腰 3条装",
        ),
        options=(("颜色", COLORS[:4]), ("尺码", ("M", "L", "XL", "XXL"))),
        price=(69, 269),
        subtitles=("可调节腰围，孕期一直能穿", "哺乳开口设计"),
        details=("莫代尔混纺面料，亲肤透气。",),
    ),
    Line(
        "nuanyang-mama",
        "yunchan",
        "待产",
        "暖阳孕妈{a}",
        a=(
            "待产包 全套 入院|199-399",
            "待产包 妈妈款|129-259",
            "产后收腹带|79-159",
            "孕妇枕 U型|129-259",
            "孕妇DHA藻油 60粒|159-299",
            "防溢乳垫 100片|39-69",
            "产褥垫 10片|29-49",
            "一次性内裤 纯棉 7条装|25-45",
            "孕妇护腰托腹带|69-129",
        ),
        price=(29, 399),
        subtitles=("医院推荐清单整理", "入院前一次买齐"),
        details=("清单根据三甲医院产科建议整理。",),
    ),
    # 棉朵童装
    Line(
        "mianduo",
        "tongzhuang",
        "连体衣",
        "棉朵{a}婴儿连体衣 {b}",
        a=("纯棉", "A类有机棉", "竹纤维", "精梳棉"),
        b=("长袖爬服", "短袖哈衣", "蝴蝶衣", "包脚款", "和尚服"),
        options=(("颜色", COLORS_BABY), ("尺码", SIZES_BABY)),
        price=(59, 159),
        subtitles=("A类婴幼儿标准，无荧光剂", "肩开扣设计，单手就能换"),
        details=("新疆长绒棉，越洗越软。", "首次穿着前建议清水洗涤一次。"),
    ),
    Line(
        "mianduo",
        "tongzhuang",
        "童装",
        "棉朵{a}",
        a=(
            "新生儿包被 抱被|89-199",
            "婴儿睡袋 分腿|129-299",
            "婴儿口水巾 6条装|29-59",
            "宝宝袜子 5双装|29-49",
            "婴儿帽子 胎帽|25-45",
            "新生儿礼盒 12件套|259-499",
            "婴儿护肚围 2条装|29-59",
        ),
        options=(("颜色", COLORS_BABY),),
        price=(29, 299),
        subtitles=("新生儿必备", "送礼体面"),
        details=("A类标准，直接接触皮肤。",),
    ),
    Line(
        "mianduo",
        "tongzhuang",
        "童装",
        "棉朵儿童{a}",
        a=(
            "卫衣|89-169",
            "防晒衣|79-149",
            "羽绒服 轻薄款|199-399",
            "背带裤|89-159",
            "纯棉T恤 3件装|79-129",
            "家居服套装|89-169",
            "摇粒绒外套|99-179",
        ),
        options=(("颜色", COLORS_BABY), ("尺码", SIZES_KID)),
        price=(69, 329),
        subtitles=("宽松版型，留足长个空间",),
        details=("领口和袖口加固，耐穿耐洗。",),
    ),
    # 素颜集
    Line(
        "suyanji",
        "hufu",
        "面霜",
        "素颜集{a}面霜",
        a=("保湿修护", "烟酰胺亮肤", "积雪草舒缓", "神经酰胺屏障", "玻尿酸水润"),
        options=(("规格", ("30ml", "50ml|1.5")),),
        price=(129, 299),
        subtitles=("敏感肌可用", "孕期可用，无酒精无香精"),
        details=("通过28天敏感肌测试。", "早晚洁面后取适量涂抹。"),
    ),
    Line(
        "suyanji",
        "hufu",
        "护肤",
        "素颜集{a}{b}",
        a=("积雪草", "烟酰胺", "氨基酸", "维C", "玻尿酸"),
        b=("精华液", "洁面乳", "爽肤水", "眼霜", "面膜 10片"),
        options=(("规格", ("单支", "两支装|1.9")),),
        price=(69, 259),
        subtitles=("温和不刺激",),
        details=("配方不含酒精、香精和防腐剂羟苯酯类。",),
    ),
    Line(
        "suyanji",
        "hufu",
        "防晒",
        "素颜集{a}防晒霜 SPF50+",
        a=("清透", "物理", "儿童", "户外防水"),
        options=(("规格", ("30ml", "60ml|1.7")),),
        price=(79, 169),
        subtitles=("PA++++，通勤户外都适用",),
        details=("出门前15分钟涂抹，户外每2小时补涂。",),
    ),
    Line(
        "suyanji",
        "hufu",
        "润肤乳",
        "素颜集{a}润肤乳",
        a=("孕妇可用", "婴儿", "燕麦保湿", "身体"),
        options=(("规格", ("200ml", "400ml|1.7")),),
        price=(59, 139),
        subtitles=("一家人都能用",),
        details=("温和配方，洗澡后全身涂抹。",),
    ),
    Line(
        "suyanji",
        "caizhuang",
        "彩妆",
        "素颜集{a}",
        a=(
            "丝绒哑光口红|89-169",
            "水光唇釉|79-139",
            "气垫粉底 轻薄|129-229",
            "极细眉笔|39-69",
            "奶油腮红|69-119",
            "纤长睫毛膏|69-129",
            "散粉 控油|79-149",
        ),
        options=(("色号", ("#01 正红", "#05 豆沙", "#12 奶茶", "#21 枫叶")),),
        price=(69, 199),
        subtitles=("孕期可用的温和彩妆",),
        details=("不含铅汞等重金属，已完成备案。",),
    ),
    # 轻语女装
    Line(
        "qingyu",
        "nvzhuang",
        "连衣裙",
        "轻语{a}连衣裙",
        a=("法式碎花", "桔梗", "真丝", "针织", "雪纺长款", "小黑裙", "亚麻", "收腰衬衫"),
        options=(("颜色", COLORS), ("尺码", SIZES_WOMEN)),
        price=(199, 699),
        subtitles=("通勤约会都能穿", "显瘦收腰版型"),
        details=("面料柔软垂顺，建议手洗或冷水机洗。",),
    ),
    Line(
        "qingyu",
        "nvzhuang",
        "女装",
        "轻语{a}",
        a=(
            "真丝衬衫|399-799",
            "高腰阔腿裤|199-359",
            "半身裙 A字|169-329",
            "针织开衫|199-399",
            "风衣 中长款|499-899",
            "羽绒服 轻薄款|399-799",
            "防晒衣 冰丝|129-229",
            "西装外套|399-799",
            "纯棉T恤|79-159",
        ),
        options=(("颜色", COLORS), ("尺码", SIZES_WOMEN)),
        price=(129, 899),
        subtitles=("百搭基础款",),
        details=("版型偏宽松，介于两个尺码之间建议选小一码。",),
    ),
    Line(
        "qingyu",
        "peishi",
        "配饰",
        "轻语{a}",
        a=(
            "真丝丝巾|199-399",
            "草编遮阳帽|69-129",
            "帆布托特包|59-129",
            "羊毛围巾|149-299",
            "珍珠发夹 2件套|39-79",
        ),
        options=(("颜色", COLORS[:3]),),
        price=(49, 299),
        subtitles=("点亮基础款",),
        details=("适合日常通勤搭配。",),
    ),
    # 栖木家居
    Line(
        "qimu",
        "beihu",
        "保温杯",
        "栖木{a}",
        a=(
            "316不锈钢保温杯 350ml",
            "316不锈钢保温杯 500ml",
            "保温杯 带茶隔 450ml",
            "儿童吸管保温杯 400ml",
            "316不锈钢焖烧杯 500ml",
        ),
        options=(("颜色", ("奶白", "雾蓝", "松绿", "暖杏")),),
        price=(79, 199),
        subtitles=("24小时保温", "316不锈钢内胆"),
        details=("请勿装碳酸饮料和牛奶长时间存放。",),
    ),
    Line(
        "qimu",
        "jiafang",
        "四件套",
        "栖木{a}四件套",
        a=("全棉磨毛", "水洗棉", "60支长绒棉", "天丝", "纯棉格纹", "儿童卡通"),
        options=(("规格", ("1.5m床", "1.8m床|1.15")), ("颜色", ("燕麦", "雾蓝", "豆绿"))),
        price=(299, 799),
        subtitles=("亲肤透气，越洗越软",),
        details=("首次使用前建议冷水洗涤一次。",),
    ),
    Line(
        "qimu",
        "jiafang",
        "家纺",
        "栖木{a}",
        a=(
            "乳胶枕 一对装|259-499",
            "夏凉被 可水洗|159-299",
            "婴儿床品套件|199-399",
            "纯棉浴巾|49-99",
            "蚕丝被 春秋款|599-1299",
            "儿童枕 荞麦|59-99",
            "隔尿垫 3条装|49-89",
        ),
        price=(59, 699),
        subtitles=("一家人的睡眠好物",),
        details=("A类标准，婴儿可用。",),
    ),
    Line(
        "qimu",
        "beihu",
        "厨具",
        "栖木{a}",
        a=(
            "陶瓷马克杯 2只装|59-99",
            "玻璃饭盒 3件套|69-129",
            "不粘锅 炒锅 32cm|199-399",
            "婴儿辅食锅|99-199",
            "冷水壶 大容量|49-99",
            "咖啡手冲壶|129-259",
        ),
        price=(39, 399),
        subtitles=("日常好用",),
        details=("可用洗碗机清洗（不粘锅除外）。",),
    ),
    Line(
        "qimu",
        "shouna",
        "收纳",
        "栖木{a}",
        a=(
            "收纳箱 可折叠 3只装|79-149",
            "衣柜收纳袋|29-59",
            "儿童玩具收纳架|129-259",
            "桌面收纳盒|29-69",
            "真空压缩袋 8件套|39-79",
            "鞋盒 6只装|39-79",
        ),
        price=(29, 259),
        subtitles=("换季整理不发愁",),
        details=("尺寸请以详情页标注为准。",),
    ),
    # 跃动运动
    Line(
        "yuedong",
        "paoxie",
        "跑鞋",
        "跃动{a}跑步鞋 {b}",
        a=("轻跑", "缓震", "竞速", "越野"),
        b=("男款", "女款"),
        options=(("颜色", ("黑白", "荧光绿", "雾蓝")), ("尺码", SIZES_SHOE)),
        price=(299, 799),
        subtitles=("跑者参与测试", "中底回弹，长距离不累"),
        details=("建议比日常鞋码大半码。",),
    ),
    Line(
        "yuedong",
        "paoxie",
        "运动鞋",
        "跃动{a}",
        a=(
            "儿童运动鞋 魔术贴|159-259",
            "休闲运动鞋 小白鞋|259-399",
            "健步鞋 中老年|199-329",
            "帆布鞋 经典款|129-199",
        ),
        options=(("颜色", ("白色", "黑色", "粉色")), ("尺码", SIZES_SHOE[:6])),
        price=(129, 399),
        subtitles=("轻便透气",),
        details=("儿童款按足弓发育阶段设计。",),
    ),
    Line(
        "yuedong",
        "yundongfu",
        "运动服",
        "跃动{a}",
        a=(
            "速干T恤|79-149",
            "瑜伽裤 高腰|129-229",
            "运动内衣 高强度|129-229",
            "防风夹克|259-459",
            "运动短裤 2合1|99-169",
            "儿童运动套装|129-229",
        ),
        options=(("颜色", ("黑色", "灰色", "藏青")), ("尺码", SIZES_WOMEN)),
        price=(79, 399),
        subtitles=("速干排汗",),
        details=("请勿使用柔顺剂，以免影响速干性能。",),
    ),
    Line(
        "yuedong",
        "huwai",
        "户外",
        "跃动{a}",
        a=(
            "户外双肩包 30L|199-399",
            "露营折叠椅|99-199",
            "登山杖 碳纤维|129-259",
            "遮阳帽 防晒|59-99",
            "运动水壶 1L|49-89",
            "天幕 防晒|199-459",
            "儿童防晒帽|39-69",
            "骑行头盔|159-299",
        ),
        price=(49, 599),
        subtitles=("周末出游好伙伴",),
        details=("户外使用请注意防晒补水。",),
    ),
)

GENERIC_DETAILS = (
    "支持7天无理由退换（贴身衣物拆封后除外）。",
    "下单后48小时内发货。",
    "如有质量问题请联系店铺客服处理。",
)

# Bundles: (slug, name, scenario, description, [(category, keyword in name, quantity, note)])
BUNDLES: tuple[tuple[str, str, str, str, tuple[tuple[str, str, int, str], ...]], ...] = (
    (
        "newborn-homecoming",
        "新生儿出院套装",
        "宝宝出院回家的第一周",
        "从医院到家的第一周，宝宝需要的衣物、尿裤和喂养用品，一次配齐。",
        (
            ("tongzhuang", "连体衣", 2, "备两件换洗"),
            ("tongzhuang", "包被", 1, "出院时包裹宝宝"),
            ("niaoku", "纸尿裤", 1, "新生儿选NB码"),
            ("weiyang", "奶瓶", 1, ""),
            ("weiyang", "湿巾", 1, ""),
        ),
    ),
    (
        "hospital-bag",
        "待产包",
        "孕36周前准备好",
        "医院产科推荐的入院清单：妈妈用品和宝宝用品分开装，临产不慌。",
        (
            ("yunchan", "待产包", 1, ""),
            ("yunfuzhuang", "哺乳文胸", 2, "哺乳期穿"),
            ("yunchan", "收腹带", 1, ""),
            ("yunchan", "产褥垫", 1, ""),
            ("niaoku", "纸尿裤", 1, "NB码"),
            ("hufu", "润肤乳", 1, "孕妇可用"),
        ),
    ),
    (
        "summer-trip",
        "夏季出游",
        "带娃出门玩一天",
        "防晒、补水、走得舒服：一家人夏天出游的装备。",
        (
            ("hufu", "防晒", 1, "出门前15分钟涂"),
            ("beihu", "保温杯", 1, "装冰水也行"),
            ("huwai", "遮阳帽", 1, ""),
            ("paoxie", "运动鞋", 1, ""),
            ("nvzhuang", "防晒衣", 1, ""),
            ("huwai", "双肩包", 1, ""),
        ),
    ),
    (
        "first-solids",
        "宝宝辅食添加",
        "6个月开始添加辅食",
        "第一口辅食从高铁米粉开始，配上研磨碗和软勺。",
        (
            ("naifen", "米粉", 1, "先从高铁米粉开始"),
            ("weiyang", "研磨碗", 1, ""),
            ("weiyang", "软勺", 1, ""),
            ("beihu", "辅食锅", 1, ""),
        ),
    ),
    (
        "weekend-camping",
        "周末带娃露营",
        "城市近郊露营一天",
        "遮阳、坐得舒服、热水和防晒都备好，带娃露营不手忙脚乱。",
        (
            ("huwai", "天幕", 1, ""),
            ("huwai", "折叠椅", 2, "大人小孩各一把"),
            ("beihu", "保温杯", 1, "装热水冲奶粉"),
            ("hufu", "儿童防晒", 1, ""),
            ("huwai", "儿童防晒帽", 1, ""),
            ("weiyang", "湿巾", 1, ""),
        ),
    ),
)

# Placements on content stations: (station, category, keyword, note)
PLACEMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("warm-home-drama", "naifen", "奶粉", "第1集：林爸爸半夜第一次给小宝冲奶粉"),
    ("warm-home-drama", "tongzhuang", "连体衣", "第2集：小宝出院回家穿的连体衣"),
    ("warm-home-drama", "beihu", "保温杯", "第3集：林妈妈上班带的保温杯"),
    ("warm-home-drama", "nvzhuang", "连衣裙", "第5集：林妈妈产后第一次约会穿的连衣裙"),
    ("warm-home-drama", "jiafang", "四件套", "第6集：奶奶给小两口换的新床品"),
    ("warm-home-drama", "yunfuzhuang", "防辐射服", "第1集：怀孕的林妈妈在办公室穿的防辐射服"),
    ("warm-home-drama", "caizhuang", "口红", "第8集：林妈妈重返职场那天涂的口红"),
    ("warm-home-drama", "paoxie", "跑步鞋", "第10集：林爸爸开始晨跑减掉的“奶爸肚”"),
    ("warm-home-drama", "wanju", "积木", "第12集：小宝和爷爷一起搭的积木"),
    ("warm-home-drama", "hufu", "面霜", "第4集：月子里外婆送的面霜"),
    ("warm-home-drama", "niaoku", "纸尿裤", "第3集：爷爷奶奶争着学换纸尿裤"),
    ("warm-home-drama", "shouna", "收纳", "第14集：给小宝的玩具找个家"),
    ("parenting-weekly", "niaoku", "纸尿裤", "本月实测：吸水速度第一名"),
    ("parenting-weekly", "weiyang", "吸奶器", "编辑部妈妈背奶半年的选择"),
    ("parenting-weekly", "naifen", "奶粉", "配料表干净，冲调不结块"),
    ("parenting-weekly", "tongzhuang", "睡袋", "分腿设计，宝宝踢被也不怕"),
    ("parenting-weekly", "wanju", "布书", "0岁起就能看的第一本书"),
    ("parenting-weekly", "hufu", "润肤乳", "婴儿洗澡后的保湿"),
)

# People. Nicknames are root + suffix; the suffix hints the gender for the analytics demo.
NICK_ROOTS = (
    "糖糖",
    "豆豆",
    "果果",
    "乐乐",
    "小鱼",
    "橙子",
    "米粒",
    "阿杰",
    "木子",
    "晴天",
    "七七",
    "安安",
    "可可",
    "朵朵",
    "一一",
    "西西",
    "大白",
    "小满",
    "阿宁",
    "栗子",
    "团团",
    "小樱",
    "南风",
    "阿哲",
    "悠悠",
    "麦兜",
    "星星",
    "小雨",
)
NICK_SUFFIXES = (
    ("妈妈", "f"),
    ("麻麻", "f"),
    ("爸爸", "m"),
    ("", ""),
    ("酱", ""),
    ("同学", ""),
    ("的日常", ""),
)
CITIES = (
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "重庆",
    "苏州",
    "长沙",
    "郑州",
    "天津",
    "青岛",
    "厦门",
    "合肥",
    "昆明",
    "宁波",
    "佛山",
)
BIOS = (
    "新手妈妈，记录宝宝的第一年",
    "二胎奶爸，周末带娃露营",
    "孕28周，认真研究待产包中",
    "喜欢简单好用的东西",
    "跑步爱好者，半马PB 1:52",
    "敏感肌，护肤只用温和的",
    "",
)
PROMOTERS = (
    ("daren_xiaoman", "育儿博主·小满", "杭州", "f", "三岁男孩妈妈，分享真实用过的母婴好物"),
    ("daren_ajie", "奶爸阿杰", "成都", "m", "全职奶爸，测评婴儿推车和安全座椅"),
    ("daren_tangtang", "糖糖的护肤笔记", "上海", "f", "成分党，专注敏感肌和孕期护肤"),
    ("daren_nanfeng", "南风跑步", "西安", "m", "马拉松跑者，跑鞋装备测评"),
)

# Words the demo catalogue contains; the bench searches for them.
SEARCH_WORDS = (
    "奶粉",
    "连衣裙",
    "婴儿",
    "纸尿裤",
    "连体衣",
    "防辐射服",
    "面霜",
    "保温杯",
    "孕妇",
    "跑步鞋",
    "四件套",
    "口红",
    "防晒",
    "婴儿 奶粉",
    "玩具",
)
