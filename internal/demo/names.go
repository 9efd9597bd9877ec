package demo

import (
	"math/rand/v2"
	"strconv"
)

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"}

var givenNames = []string{"建国", "秀英", "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "志强", "丽", "海燕", "玉兰", "国庆", "红梅", "建华", "德胜"}

var enterpriseWords = []string{"丰收", "富民", "兴农", "金穗", "绿源", "惠民", "瑞丰", "宏达", "鑫旺", "康源"}

var cropWords = []string{"小麦", "玉米", "蔬菜", "果树", "棉花"}

func person(r *rand.Rand) string {
	return surnames[r.IntN(len(surnames))] + givenNames[r.IntN(len(givenNames))]
}

func people(r *rand.Rand, min, max int) []string {
	n := min + r.IntN(max-min+1)
	out := make([]string, n)
	for i := range out {
		out[i] = person(r)
	}
	return out
}

func mobile(r *rand.Rand) string {
	prefixes := []string{"130", "133", "135", "138", "139", "150", "152", "158", "170", "177", "186", "189", "199"}
	n := r.IntN(100000000)
	s := strconv.Itoa(n)
	for len(s) < 8 {
		s = "0" + s
	}
	return prefixes[r.IntN(len(prefixes))] + s
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
