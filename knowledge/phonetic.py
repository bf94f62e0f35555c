"""A compact homophone table for pinyin-IME typos (物留 → 物流, 统记 → 统计, 餐yin → 餐饮)."""

from __future__ import annotations

import itertools
import re
from functools import cache

# Toneless pinyin syllable → common characters read that way. It covers the characters of the
# documents' vocabulary and the common characters an IME offers for the same syllables; a character
# with several readings is listed under each. Characters not listed simply have no phonetic key.
_TABLE = """
a 阿啊
ai 爱哀埃挨矮艾碍唉癌蔼
an 安按案暗岸氨鞍俺庵
ang 昂
ao 奥澳傲熬凹袄
ba 八把吧爸巴拔霸坝罢芭扒靶
bai 白百败拜摆柏佰伯
ban 办半班板版般伴搬扮颁瓣斑扳
bang 帮邦棒榜膀绑傍磅谤
bao 包报保宝抱暴薄饱爆堡豹胞苞
bei 被北备背杯悲贝辈倍碑卑
ben 本奔笨
beng 崩泵蹦绷
bi 比必笔币闭避毕壁彼鼻逼碧弊臂
bian 边变便编遍辩扁鞭辨
biao 标表彪膘
bie 别憋
bin 宾滨彬斌濒缤
bing 并兵病冰饼丙柄秉
bo 波博播伯拨薄泊勃玻剥
bu 不部布步补捕簿埠
ca 擦
cai 才材财采菜彩裁猜踩
can 参残餐惨蚕灿
cang 仓藏苍舱
cao 草操曹槽
ce 策测侧册厕
cen 参岑
ceng 层曾
cha 查茶差插察叉
chai 柴拆差
chan 产馋缠颤阐蝉铲
chang 长常场厂唱肠尝偿畅昌
chao 超朝潮炒吵抄巢
che 车彻撤扯
chen 陈沉晨尘臣衬称趁
cheng 成城程称承诚乘呈惩撑橙
chi 吃持池迟尺赤齿驰翅斥耻
chong 冲充重虫崇宠
chou 抽仇愁丑臭筹酬稠
chu 出处初除楚础储触厨畜
chuan 传川船穿串
chuang 创窗床闯
chui 吹垂锤
chun 春纯唇
ci 次此词磁刺辞瓷慈
cong 从丛聪葱匆
cu 促粗醋簇
cui 催脆翠崔
cun 村存寸
cuo 措错挫
da 大打达答搭
dai 代带待贷袋戴呆
dan 单但担淡蛋弹丹胆
dang 当党档挡荡
dao 到道导岛倒刀盗稻
de 的得德
deng 等灯登邓
di 地第低底敌弟递帝滴堤抵笛
dian 点电店典垫殿淀
diao 调掉吊钓雕
die 跌叠蝶
ding 定订顶丁钉盯鼎
dong 动东懂冬洞冻栋
dou 都斗豆逗抖陡
du 度都读独督毒渡杜堵肚
duan 段短断端锻
dui 对队堆兑
dun 顿吨盾蹲
duo 多夺朵躲惰
e 额恶饿俄鹅
er 二而儿耳尔
fa 发法罚伐乏阀
fan 反范饭犯翻凡烦返泛繁
fang 方放房防访仿纺芳
fei 非费飞肥废匪肺
fen 分份粉奋纷坟愤
feng 风丰封峰锋疯奉缝
fu 服复府负副付富福夫附符扶抚浮腐赋辅
gai 改该盖概钙
gan 干感敢赶甘肝杆
gang 刚港钢岗纲缸
gao 高告搞稿
ge 个各格革歌哥隔割
gei 给
gen 根跟
geng 更耕
gong 工公共功供宫攻贡
gou 构够购沟狗
gu 古股顾固故鼓谷骨孤
gua 挂瓜刮
guai 怪乖
guan 管关官观馆冠惯灌罐
guang 光广逛
gui 规归贵鬼柜轨桂
gun 滚棍
guo 国过果锅郭
hai 还海害孩
han 含汉寒喊汗韩函
hang 行航
hao 好号豪毫耗
he 和合何河核喝贺
hen 很恨
heng 横衡恒
hong 红宏洪虹轰
hou 后候厚
hu 户护湖互呼胡虎
hua 化话花划华画滑
huai 坏怀
huan 换环欢还缓患
huang 黄皇荒慌
hui 会回汇惠辉挥毁
hun 婚混魂
huo 或活火获货伙
ji 机及计记基级集技济积即极急际既绩季纪籍激击吉迹寄继
jia 家加价假架甲佳
jian 建间见监件检简减坚键健剑
jiang 将讲江奖降姜
jiao 交教较叫角脚焦骄郊
jie 结解节接界街借阶届介
jin 进金今近仅紧尽禁斤锦
jing 经京精景境竟静警井径
jiu 就究九酒旧久救
ju 局据举具居剧巨聚拒
juan 卷捐
jue 决觉绝
jun 军均君
ka 卡
kai 开凯
kan 看刊
kang 康抗
kao 考靠
ke 科可克客课刻
kong 空控孔恐
kou 口扣
ku 库苦哭酷
kuai 快块会
kuan 款宽
kuang 况矿框狂
kun 困
kuo 扩括阔
la 拉落啦
lai 来赖
lan 蓝兰览烂栏
lang 浪狼
lao 老劳牢落
le 了乐勒
lei 类累雷
leng 冷
li 理力利立里李历例离礼丽励
lian 联连练脸廉
liang 量两良亮粮
liao 料了疗聊
lie 列烈
lin 林临邻
ling 领令另零灵
liu 流留六刘柳溜
long 龙隆笼
lou 楼露
lu 路陆录露卢鹿
lv 旅律率绿虑
luan 乱
lun 论轮
luo 落罗络洛
ma 马吗妈码麻骂嘛
mai 买卖麦迈埋脉
man 满慢漫曼蛮瞒馒
mang 忙盲茫芒
mao 贸毛冒帽茂猫矛卯貌
me 么
mei 美没每梅媒煤妹眉霉
men 门们闷
meng 梦蒙盟猛孟萌
mi 密米秘迷蜜谜眯觅
mian 面免棉眠绵勉
miao 秒苗妙描庙
mie 灭
min 民敏闽
ming 名明命鸣铭
mo 模末没莫摸磨膜墨默
mou 某谋
mu 目木母幕牧墓亩慕
na 那拿哪纳娜
nai 乃耐奶
nan 南难男
nang 囊
nao 脑闹恼
ne 呢
nei 内
neng 能
ni 你呢泥拟逆尼
nian 年念粘
niang 娘
niao 鸟尿
nie 捏
nin 您
ning 宁凝拧
niu 牛纽扭
nong 农弄浓
nu 努怒奴
nv 女
nuan 暖
ou 欧偶
pa 怕爬
pai 派排牌拍
pan 判盘盼攀
pang 旁胖
pao 跑泡炮
pei 培配陪赔佩
pen 盆喷
peng 朋碰棚鹏
pi 批皮疲匹脾屁
pian 片偏篇骗
piao 票漂飘
pin 品拼贫频聘
ping 平评凭瓶苹屏
po 破迫坡婆
pu 普铺谱朴扑浦
qi 其期起企气七汽齐奇骑旗器启弃
qia 恰
qian 前钱签千迁浅欠潜牵
qiang 强墙枪抢
qiao 桥巧敲乔侨
qie 且切窃
qin 亲琴勤侵秦
qing 情请清青轻庆倾晴
qiong 穷琼
qiu 求球秋丘
qu 区取去趣曲渠驱
quan 全权泉劝拳券
que 确却缺雀
qun 群裙
ran 然燃染
rang 让
rao 绕扰
re 热
ren 人任认仁忍
reng 仍扔
ri 日
rong 融容荣绒溶
rou 肉柔
ru 入如乳
ruan 软
rui 瑞锐
run 润
ruo 若弱
sa 洒撒
sai 赛
san 三散伞
sang 桑丧
sao 扫
se 色
sen 森
sha 沙杀
shai 晒
shan 山善闪扇
shang 上商尚伤赏
shao 少烧绍
she 社设涉舍射摄蛇
shei 谁
shen 审深身神申伸甚肾
sheng 生省声胜升盛圣绳
shi 是市时实事施式识视室示使士十石世史食势试师诗失适释
shou 收手首受售守授寿
shu 数书输属术树熟述束署鼠
shua 刷
shuang 双爽
shui 税水谁睡
shun 顺
shuo 说
si 思司四死私丝似寺
song 送松宋颂
sou 搜
su 速诉素宿苏塑
suan 算酸
sui 随岁虽碎
sun 损孙
suo 所索锁缩
ta 他她它塔踏
tai 台太态泰抬
tan 谈探坦摊谭
tang 堂唐汤糖躺
tao 讨套逃桃陶
te 特
teng 腾
ti 体提题替梯
tian 天田填添甜
tiao 调条跳挑
tie 铁贴
ting 听厅停庭挺
tong 通同统童铜痛桶
tou 投头透偷
tu 土图突途徒
tuan 团
tui 推退腿
tun 吞
tuo 托脱拖妥
wa 挖娃瓦
wai 外
wan 万完晚玩湾碗
wang 网王往望忘旺
wei 为位委卫未维围伟危味微
wen 文问温闻稳
wo 我握
wu 务物无五午武舞误屋
xi 系细息西希习喜析洗吸席
xia 下夏虾
xian 县现限线先险鲜显献
xiang 项相乡想向香箱
xiao 效小校消销笑晓
xie 协写谢些鞋
xin 信新心辛
xing 行星型形兴性姓
xiong 兄雄
xiu 修休秀
xu 需许续序须
xuan 宣选
xue 学雪
xun 训讯寻询
ya 呀压牙亚
yan 研严言眼演验延烟沿
yang 养样阳洋
yao 要药摇
ye 业也夜叶页野
yi 一以意已议医易宜移艺益
yin 饮银因引印音
ying 营应英影迎赢硬
yong 用永拥勇
you 游有由优油友又邮
yu 育于与语鱼预雨域遇余
yuan 源员原元院远园愿援
yue 乐月越约阅
yun 运云允孕
za 杂
zai 在再载灾
zan 赞
zang 脏
zao 早造
ze 责则择泽
zeng 增赠
zha 扎炸
zhai 债宅
zhan 展站占战
zhang 长张章帐
zhao 招照找
zhe 着这者
zhen 镇真阵针
zheng 政正证征整争
zhi 职制指只知治支值志致质至
zhong 中重众种终
zhou 州周
zhu 主住注助著
zhua 抓
zhuan 专转
zhuang 状装庄
zhui 追
zhun 准
zhuo 着
zi 资自子字
zong 综总宗
zou 走
zu 组族足
zui 最
zun 尊
zuo 作做坐左
"""

_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
_MAX_COMBOS = 16


def fuzzy(syllable: str) -> str:
    """A syllable with the usual IME fuzzy-pinyin pairs merged (zh/z, ch/c, sh/s, n/l, -ng/-n)."""
    for full, short in _INITIALS:
        if syllable.startswith(full):
            syllable = short + syllable[len(full) :]
            break
    for full, short in _FINALS:
        if syllable.endswith(full):
            return syllable[: -len(full)] + short
    return syllable


@cache
def _readings() -> dict[str, frozenset[str]]:
    """Character → fuzzy keys of its readings."""
    out: dict[str, set[str]] = {}
    for line in _TABLE.strip().splitlines():
        syllable, chars = line.split()
        for ch in chars:
            out.setdefault(ch, set()).add(fuzzy(syllable))
    return {ch: frozenset(keys) for ch, keys in out.items()}


@cache
def syllables() -> frozenset[str]:
    """Every syllable of the table, as typed (not fuzzy)."""
    return frozenset(line.split()[0] for line in _TABLE.strip().splitlines())


def char_keys(ch: str) -> frozenset[str]:
    """The fuzzy keys a character (or a typed Latin syllable) may stand for."""
    if len(ch) > 1:  # a Latin syllable typed instead of its character
        return frozenset({fuzzy(ch)})
    return _readings().get(ch, frozenset())


_LATIN = re.compile(r"[a-z]+")


def split_pinyin(latin: str) -> list[str] | None:
    """Split a run of Latin letters into pinyin syllables (fewest syllables), or None."""
    known = syllables()
    best: list[list[str] | None] = [None] * (len(latin) + 1)
    best[0] = []
    for end in range(1, len(latin) + 1):
        for start in range(max(0, end - 6), end):
            prev = best[start]
            if prev is not None and latin[start:end] in known:
                candidate = [*prev, latin[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(latin)]


def positions(text: str) -> list[str]:
    """Split text into positions: one per CJK character, one per pinyin syllable of a Latin run."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _LATIN.match(text, i)
        if m:
            parts = split_pinyin(m.group())
            out.extend(parts if parts else [m.group()])
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return out


def keys_of(items: list[str] | str) -> list[tuple[str, ...]]:
    """All phonetic key sequences of a term (capped), or [] if a position has no reading."""
    per = [char_keys(p) for p in items]
    if not per or any(not k for k in per):
        return []
    return list(itertools.islice(itertools.product(*(sorted(k) for k in per)), _MAX_COMBOS))


# Characters of similar shape, confused in handwriting and stroke input (金触 → 金融). Each line is
# one group: common look-alike sets plus look-alikes of the documents' own vocabulary.
_SHAPES = """
融触隔
金全
己已巳
未末
士土
日曰
贝见
刀力
午牛
天夭
王玉主
由甲申田
白自
今令
候侯
辩辨
拔拨
贸资货贷
统充
计订
费贵
职识织
准淮
园圆
旅族
规现观
培倍陪赔
训驯
林材
场扬杨
销锁
供共
险验检捡
建健键
税锐说
项顶须
级极
设没
业亚
务各
管官
监鉴
标栋
"""


@cache
def _shape_groups() -> dict[str, frozenset[str]]:
    """Character → characters of similar shape."""
    out: dict[str, set[str]] = {}
    for group in _SHAPES.split():
        for ch in group:
            out.setdefault(ch, set()).update(group)
    return {ch: frozenset(g - {ch}) for ch, g in out.items()}


def confusable(a: str, b: str) -> bool:
    """Whether a typed character plausibly stands for another: same (fuzzy) sound or shape."""
    return bool(char_keys(a) & char_keys(b)) or b in _shape_groups().get(a, frozenset())
