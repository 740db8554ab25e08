// dmn-js's decision-table texts in Vietnamese when the page is (see translate.js).
import { translator } from "./translate";

const VI = {
  When: "Khi", And: "Và", Then: "Thì", Annotation: "Ghi chú", Annotations: "Ghi chú",
  "Hit policy": "Chính sách chọn luật", "Hit policy:": "Chính sách chọn luật:",
  "Add rule": "Thêm luật", "Add rule above": "Thêm luật phía trên",
  "Add rule below": "Thêm luật phía dưới", "Remove rule": "Xoá luật", "Copy rule": "Sao chép luật",
  "Cut rule": "Cắt luật", "Paste rule above": "Dán luật phía trên",
  "Paste rule below": "Dán luật phía dưới", "Move rule": "Chuyển luật",
  "Add input": "Thêm cột điều kiện", "Add output": "Thêm cột kết quả",
  "Add input column left": "Thêm cột điều kiện bên trái",
  "Add input column right": "Thêm cột điều kiện bên phải",
  "Add output column left": "Thêm cột kết quả bên trái",
  "Add output column right": "Thêm cột kết quả bên phải",
  "Remove input column": "Xoá cột điều kiện", "Remove output column": "Xoá cột kết quả",
  Input: "Điều kiện", Output: "Kết quả", "Input label": "Tên cột điều kiện",
  "Input label: ": "Tên cột điều kiện: ", "Input expression": "Biểu thức điều kiện",
  "Input expression: ": "Biểu thức điều kiện: ", "Output label": "Tên cột kết quả",
  "Output label: ": "Tên cột kết quả: ", "Output name": "Tên biến kết quả",
  "Output name: ": "Tên biến kết quả: ", "Input type": "Kiểu dữ liệu vào",
  "Output type": "Kiểu dữ liệu ra", Type: "Kiểu", Value: "Giá trị", Values: "Các giá trị",
  Yes: "Có", No: "Không", Expression: "Biểu thức", "Expression language": "Ngôn ngữ biểu thức",
  "Expression language: {expressionLanguageLabel}": "Ngôn ngữ biểu thức: {expressionLanguageLabel}",
  "Decision name": "Tên quyết định", "Decision name: ": "Tên quyết định: ",
  "Enter expression": "Nhập biểu thức", "Add cell description": "Thêm mô tả ô",
  "Remove cell description": "Xoá mô tả ô", Edit: "Sửa", "View DRD": "Xem sơ đồ DRD",
  "Strings must be in double quotes": "Chuỗi phải đặt trong dấu ngoặc kép",
  // hit policies: the DMN name kept in brackets, it is what the documentation says
  Unique: "Duy nhất (Unique)", First: "Luật đầu tiên (First)", Priority: "Ưu tiên (Priority)",
  Any: "Bất kỳ (Any)", Collect: "Gom tất cả (Collect)", "Collect (Sum)": "Gom: tổng (Collect Sum)",
  "Collect (Min)": "Gom: nhỏ nhất (Collect Min)", "Collect (Max)": "Gom: lớn nhất (Collect Max)",
  "Collect (Count)": "Gom: đếm (Collect Count)", "Rule order": "Theo thứ tự luật (Rule order)",
  "Output order": "Theo thứ tự kết quả (Output order)",
};

export default { translate: ["value", translator(VI)] };
